import type { Sql } from 'postgres';
import type { DbOrTx } from './types.js';

/**
 * The postgres.js client under a drizzle database or transaction (a transaction's is bound to its
 * connection), for statements on a hot path. Its tagged-template queries are named prepared
 * statements, cached per connection: after the first use, one Bind/Execute round trip and no
 * parse or plan in Postgres. drizzle sends every query that is not `.prepare()`d unnamed, and
 * postgres.js sends an unnamed query with parameters in two round trips (Parse/Describe, wait for
 * the parameter types, then Bind/Execute), parsed and planned anew each time. With
 * `createDb({ prepare: false })` (a transaction-mode pooler) the client sends these unnamed too.
 * Timestamps go in and come back as ISO strings here: drizzle turns postgres.js' date parsing and
 * serializing off on the client (a Date parameter fails).
 */
export function clientOf(db: DbOrTx): Sql {
  return (db._.session as unknown as { client: Sql }).client;
}
