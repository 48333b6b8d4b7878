import { clientOf, type Db, type Tx } from '@platform/db-kit';
import { withDeadline } from '@platform/resilience';
import type { ReservedSql, Sql } from 'postgres';

/** COMMIT answered ROLLBACK: a statement of the transaction failed (and its error was not raised). */
export class TransactionRolledBackError extends Error {
  constructor() {
    super('the transaction was rolled back at COMMIT: one of its statements had failed');
    this.name = 'TransactionRolledBackError';
  }
}

/** The transaction did not settle within its bound: it was rolled back (its session ended) or never began. */
export class TransactionTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`the transaction did not finish within ${timeoutMs} ms: rolled back`);
    this.name = 'TransactionTimeoutError';
  }
}

export interface PipelinedTransactionOptions {
  /**
   * Longest the whole transaction may take, from waiting for a connection to COMMIT. Past it the
   * transaction fails with TransactionTimeoutError and its server session is ended (Postgres rolls
   * it back and releases its row locks; the connection's pending statements fail), so a batch stuck
   * on a connection that went silent cannot hold a relay or consumer loop, nor its stop(), forever.
   */
  timeoutMs?: number;
  /**
   * What opens the transaction (default `begin`): one simple-protocol query that may set the
   * transaction's settings too (`begin; set local …`), so they cost no statement, no Sync and no
   * answer of their own. A fixed text, never built from input.
   */
  begin?: string;
}

/**
 * A transaction on a reserved connection whose BEGIN goes out in the same socket write as the
 * body's first statement, and whose COMMIT in the same write as `finish`'s statement (sent, not
 * awaited, before it). postgres.js' `sql.begin` awaits BEGIN on its own, and a statement awaited
 * before COMMIT is another exchange: the relay's and consumers' small batches paid a round trip
 * each (a socket write per statement was 18 % of the users process's busy time in the event path).
 *
 * Same guarantees as `sql.begin`: any failure rolls back and rethrows; the connection goes back to
 * the pool only with its transaction ended (ROLLBACK after a failure; on a broken connection the
 * pool replaces it). A BEGIN that fails takes the statements behind it with it (a connection that
 * cannot begin cannot run them either), and a COMMIT that Postgres answers with ROLLBACK (a failed
 * statement whose error a caller swallowed) throws instead of passing for a commit. A connection
 * lost mid-transaction fails every statement sent or still to be sent on it at once (the
 * reserved-connection fixes in tools/patches/postgres+3.4.9.patch), so the rollback path ends too.
 */
export async function pipelinedTransaction<T>(
  sql: Sql,
  body: (conn: ReservedSql) => Promise<T>,
  finish?: (conn: ReservedSql, value: T) => Promise<unknown>,
  options: PipelinedTransactionOptions = {},
): Promise<T> {
  const { timeoutMs, begin } = options;
  if (timeoutMs === undefined) return run(sql, body, finish, { begin });
  const state: RunState = { begin };
  // After the deadline nobody awaits `run`: it settles (and releases its connection) on its own.
  return withDeadline(run(sql, body, finish, state), timeoutMs, () => {
    state.expired = true;
    // Ends the session the transaction runs on (the pid it had when BEGIN went out: the same
    // connection may serve another session after a reconnect): Postgres rolls back, and the
    // statements still pending on the connection fail, so `run` settles and releases it.
    if (state.pid !== undefined) sql`select pg_terminate_backend(${state.pid})`.catch(() => undefined);
    throw new TransactionTimeoutError(timeoutMs);
  });
}

interface RunState {
  begin?: string;
  /** Set when the bound expired: a connection handed over after it is given straight back. */
  expired?: boolean;
  /** The server process of the transaction's session, once BEGIN is on its connection. */
  pid?: number;
}

async function run<T>(
  sql: Sql,
  body: (conn: ReservedSql) => Promise<T>,
  finish: ((conn: ReservedSql, value: T) => Promise<unknown>) | undefined,
  state: RunState,
): Promise<T> {
  const conn = withSavepoints(await sql.reserve());
  try {
    if (state.expired) throw new TransactionTimeoutError(0);
    const begun = (state.begin === undefined ? conn`begin` : conn.unsafe(state.begin)).execute();
    // postgres.js hands a query to its connection a microtask after execute() and stamps it with
    // the connection's backend then (an object the connection refills on a reconnect: read now).
    queueMicrotask(() => (state.pid = (begun as unknown as { state?: { pid?: number | null } }).state?.pid ?? undefined));
    begun.catch(() => undefined); // raised below, after the body (whose statements follow it)
    try {
      const value = await body(conn);
      await begun;
      const [, committed] = await Promise.all([finish?.(conn, value), conn`commit`.execute()]);
      if (committed.command !== 'COMMIT') throw new TransactionRolledBackError();
      return value;
    } catch (err) {
      await conn`rollback`.catch(() => undefined); // after a COMMIT that rolled back: only a warning
      throw err;
    }
  } finally {
    conn.release();
  }
}

export interface PipelinedDrizzleOptions extends PipelinedTransactionOptions {
  /**
   * Awaited together with the COMMIT, which goes out without waiting for it (`pipelinedTransaction`'s
   * `finish`): for statements the body sent and did not await. When it throws, the transaction
   * is rolled back and its error raised.
   */
  finish?: () => Promise<unknown>;
}

/**
 * drizzle's own `transaction()` (the same Tx, nested ones as savepoints) over a pipelined one:
 * drizzle's postgres-js session builds its Tx in `this.client.begin(callback)`, so a view of the
 * database's session whose client's `begin` is `pipelinedTransaction` changes nothing else.
 */
export function pipelinedDrizzleTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, options: PipelinedDrizzleOptions = {}): Promise<T> {
  const { finish, ...rest } = options;
  // Made once per transaction (each consumer batch), so without a closure bound to a name (tsx
  // compiles with keepNames: each costs an Object.defineProperty call) and without property
  // descriptors (Object.create's second argument takes the same slow path): a class instance,
  // and a plain own property over the session's `client`.
  const session = Object.create(db._.session) as { client: PipelinedBegin<T>; transaction(fn: (tx: Tx) => Promise<T>): Promise<T> };
  session.client = new PipelinedBegin(clientOf(db), finish, rest);
  return session.transaction(fn);
}

/** The `client` drizzle's session begins its transactions on: `begin` is a pipelined transaction. */
class PipelinedBegin<T> {
  constructor(
    private readonly pooled: Sql,
    private readonly finish: (() => Promise<unknown>) | undefined,
    private readonly options: PipelinedTransactionOptions,
  ) {}

  begin(callback: (conn: ReservedSql) => Promise<T>): Promise<T> {
    return pipelinedTransaction(this.pooled, callback, this.finish, this.options);
  }
}

/** What `sql.begin` gives its callback and drizzle's nested transactions call: `savepoint(fn)`. */
function withSavepoints(conn: ReservedSql): ReservedSql {
  let count = 0;
  // Assigned, not bound to a name: no Object.defineProperty per transaction (see above).
  (conn as { savepoint?: unknown }).savepoint = async <R>(fn: (sql: ReservedSql) => Promise<R>): Promise<R> => {
    const name = `s${count++}`;
    await conn.unsafe(`savepoint ${name}`);
    try {
      const result = await fn(conn);
      await conn.unsafe(`release savepoint ${name}`);
      return result;
    } catch (err) {
      await conn.unsafe(`rollback to savepoint ${name}`);
      throw err;
    }
  };
  return conn;
}
