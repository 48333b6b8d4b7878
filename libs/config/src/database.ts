import { databaseUrlSchema, envBoolean, envInt } from './schemas.js';

/**
 * How a service replica connects to its database. The budget: (replicas × `poolMax`) of every
 * service on one server stays under its `max_connections` (see docs/scaling.md); behind a
 * transaction-mode pooler (PgBouncer) the replicas share the pooler's server connections instead.
 */
export interface DatabaseSettings {
  /** Connections this replica's pool opens at most. */
  poolMax: number;
  /**
   * The URL goes through a transaction-mode pooler: no protocol-level prepared statements (they
   * live on one server connection, the next transaction may get another), and what needs a
   * session of its own (migrations' advisory lock, LISTEN, long-held locks) goes to `directUrl`.
   */
  transactionPooling: boolean;
  /** Straight to Postgres, bypassing the pooler; required with `transactionPooling`. */
  directUrl?: string;
}

/** The database variables every service reads (a `USERS_` prefix scopes one to users); spread into its env schema. */
export const databaseEnv = {
  DATABASE_POOL_MAX: envInt(10, { min: 2, max: 1_000 }),
  DATABASE_TRANSACTION_POOLING: envBoolean(false),
  DATABASE_DIRECT_URL: databaseUrlSchema.optional(),
};

export interface DatabaseEnv {
  DATABASE_POOL_MAX: number;
  DATABASE_TRANSACTION_POOLING: boolean;
  DATABASE_DIRECT_URL?: string;
}

export function toDatabaseSettings(env: DatabaseEnv): DatabaseSettings {
  return {
    poolMax: env.DATABASE_POOL_MAX,
    transactionPooling: env.DATABASE_TRANSACTION_POOLING,
    ...(env.DATABASE_DIRECT_URL ? { directUrl: env.DATABASE_DIRECT_URL } : {}),
  };
}
