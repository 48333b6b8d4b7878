import type { Db, DbOrTx, Tx } from '@platform/db-kit';

/** Called after a commit that wrote outbox rows: must not wait (the relay's `wake`, an `outboxWaker`'s). */
export type Wake = () => void;

/** drizzle's session method that every top-level transaction of a database goes through. */
type Begin = <T>(this: unknown, fn: (tx: Tx) => Promise<T>, config?: unknown) => Promise<T>;

/** A top-level transaction with its savepoints: whether `enqueueEvent` wrote a row in it. */
interface Unit {
  wrote: boolean;
}

/** The open transactions (and savepoints) of watched databases. */
const units = new WeakMap<DbOrTx, Unit>();
/** Each watched database's session and what its commits wake. */
const wakesOf = new WeakMap<object, Set<Wake>>();

/**
 * From now on, `wake` is called once after each transaction of `db` that wrote outbox rows has
 * committed, and never for one that rolled back, so the relay claims them at once without a NOTIFY
 * inside the transaction: a commit that notifies takes Postgres' one cluster-wide notify lock and
 * holds it through its WAL flush, so notifying commits run one at a time and cannot share a flush
 * (round 7, 20 clients: INSERT + pg_notify 490-522 tps, INSERT alone 4,066-6,605).
 *
 * Every transaction of `db` counts, whoever runs it: `db.transaction` and `withTransaction`, the
 * consumers' inbox transactions (pipelined ones too: they are drizzle's, over this session), a
 * savepoint as part of its transaction. `enqueueEvent(db, ...)` outside a transaction has
 * committed when it returns and wakes then. A wake that is lost (the process dies between the
 * commit and the wake) leaves the rows to the relays' poll, and any replica's relay may claim them.
 * Returns the way to stop calling `wake`.
 */
export function wakeAfterCommit(db: Db, wake: Wake): () => void {
  // drizzle's PgDatabase#transaction is `this.session.transaction(...)`; messaging's pipelined
  // transaction calls the same method on a view of this session (another client, same prototype).
  const session = db._.session as unknown as { transaction: Begin };
  let wakes = wakesOf.get(session);
  if (!wakes) {
    const all = (wakes = new Set());
    wakesOf.set(session, all);
    const begin = session.transaction;
    session.transaction = function <T>(this: unknown, fn: (tx: Tx) => Promise<T>, config?: unknown): Promise<T> {
      const unit: Unit = { wrote: false };
      const committed = begin.call(this, (tx: Tx) => fn(watch(tx, unit)), config) as Promise<T>;
      return committed.then((value) => {
        if (unit.wrote) wakeAll(all);
        return value;
      });
    };
  }
  wakes.add(wake);
  return () => void wakes.delete(wake);
}

/** `enqueueEvent` wrote a row with `db`: its transaction wakes after its commit; a statement alone has committed already. */
export function noteOutboxWrite(db: DbOrTx): void {
  const unit = units.get(db);
  if (unit) unit.wrote = true;
  else outboxCommitted(db);
}

/**
 * A statement of `db`'s pool outside drizzle (a raw postgres.js query, its own implicit
 * transaction: `PATCH /users/me`'s change and event in one statement) has committed outbox rows:
 * wakes what `wakeAfterCommit(db, …)` registered, as after a drizzle transaction that enqueued.
 * Call it once the statement has returned, never before (its rows are not visible until then).
 */
export function outboxCommitted(db: DbOrTx): void {
  const wakes = wakesOf.get(db._.session);
  if (wakes) wakeAll(wakes);
}

/** A savepoint's Tx is another object: its writes are noted on its transaction's unit. */
function watch(tx: Tx, unit: Unit): Tx {
  units.set(tx, unit);
  const nest = tx.transaction.bind(tx);
  tx.transaction = ((fn: (inner: Tx) => Promise<unknown>) => nest((inner) => fn(watch(inner as Tx, unit)))) as Tx['transaction'];
  return tx;
}

function wakeAll(wakes: Set<Wake>): void {
  for (const wake of wakes) {
    try {
      wake();
    } catch {
      // The transaction has committed: a failing wake must not turn it into a failure (the poll covers it).
    }
  }
}
