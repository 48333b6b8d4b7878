import { clientOf, type Db, type Tx } from '@platform/db-kit';
import type { ReservedSql, Sql } from 'postgres';

/** COMMIT answered ROLLBACK: a statement of the transaction failed (and its error was not raised). */
export class TransactionRolledBackError extends Error {
  constructor() {
    super('the transaction was rolled back at COMMIT: one of its statements had failed');
    this.name = 'TransactionRolledBackError';
  }
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
 * statement whose error a caller swallowed) throws instead of passing for a commit.
 */
export async function pipelinedTransaction<T>(
  sql: Sql,
  body: (conn: ReservedSql) => Promise<T>,
  finish?: (conn: ReservedSql, value: T) => Promise<unknown>,
): Promise<T> {
  const conn = withSavepoints(await sql.reserve());
  try {
    const begun = conn`begin`.execute();
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

/**
 * drizzle's own `transaction()` (the same Tx, nested ones as savepoints) over a pipelined one:
 * drizzle's postgres-js session builds its Tx in `this.client.begin(callback)`, so a view of the
 * database's session whose client's `begin` is `pipelinedTransaction` changes nothing else.
 */
export function pipelinedDrizzleTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const pooled = clientOf(db);
  const client = { begin: (callback: (conn: ReservedSql) => Promise<T>) => pipelinedTransaction(pooled, callback) };
  const session = Object.create(db._.session, { client: { value: client } }) as { transaction(fn: (tx: Tx) => Promise<T>): Promise<T> };
  return session.transaction(fn);
}

/** What `sql.begin` gives its callback and drizzle's nested transactions call: `savepoint(fn)`. */
function withSavepoints(conn: ReservedSql): ReservedSql {
  let count = 0;
  const savepoint = async <R>(fn: (sql: ReservedSql) => Promise<R>): Promise<R> => {
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
  return Object.assign(conn, { savepoint });
}
