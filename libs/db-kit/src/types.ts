import type { PgDatabase, PgTransaction } from 'drizzle-orm/pg-core';
import type { PostgresJsDatabase, PostgresJsQueryResultHKT } from 'drizzle-orm/postgres-js';
import type { Sql } from 'postgres';

/* eslint-disable @typescript-eslint/no-explicit-any -- the schema generics vary per service; helpers only need the query builder */

/** A service's drizzle database (its schema typed when given to `createDb`). */
export type Db<TSchema extends Record<string, unknown> = Record<string, unknown>> = PostgresJsDatabase<TSchema> & {
  $client: Sql;
};

/** A transaction handed to `withTransaction` / `db.transaction` callbacks. */
export type Tx = PgTransaction<PostgresJsQueryResultHKT, any, any>;

/** Anything that can run queries: the database or a transaction inside it. */
export type DbOrTx = PgDatabase<PostgresJsQueryResultHKT, any, any>;

/** The few logger methods the library calls; a pino logger fits. */
export interface DbLogger {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}
