import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { SpanKind, tracingActive, withSpan } from '@platform/tracing';
import type { Db, DbLogger } from './types.js';

export interface CreateDbOptions<TSchema extends Record<string, unknown>> {
  url: string;
  /** Pool size (default 10). */
  max?: number;
  /** Shown in `pg_stat_activity`, handy to tell services apart on one server. */
  applicationName?: string;
  /** Seconds to wait for a connection; small so readiness checks fail fast when Postgres is down. */
  connectTimeoutSeconds?: number;
  /** Longest pause between reconnect attempts (default 0.5 s): how late the pool notices Postgres is back. */
  maxReconnectDelayMs?: number;
  /**
   * Named (server-side) prepared statements, on by default. Off behind a transaction-mode pooler
   * (PgBouncer before 1.21): a statement prepared on one server connection does not exist on the
   * next one. Every query, drizzle's `.prepare()`d ones included, is then sent unnamed (parse,
   * bind and execute in one exchange), which such a pooler carries.
   */
  prepare?: boolean;
  /** drizzle schema, to enable `db.query.<table>` relational queries. */
  schema?: TSchema;
  logger?: DbLogger;
}

export interface DbHandle<TSchema extends Record<string, unknown> = Record<string, unknown>> {
  db: Db<TSchema>;
  /** The raw postgres.js client (LISTEN/NOTIFY, tagged-template SQL). */
  sql: postgres.Sql;
  /** Resolves when a trivial query succeeds; rejects fast when the server is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Seconds before reconnect attempt `retries` (postgres.js shares the count across the pool). Its
 * default grows to 20 s, so queries issued after a short restart waited up to 20 s for a server
 * that was long back; here it doubles from 20 ms to a cap of `maxMs`, with jitter so a pool of
 * connections does not knock in step.
 */
export function reconnectDelaySeconds(retries: number, maxMs = 500, random = Math.random): number {
  const ms = Math.min(20 * 2 ** Math.max(0, retries - 1), maxMs);
  return (ms * (0.5 + random() / 2)) / 1000;
}

export function createDb<TSchema extends Record<string, unknown> = Record<string, unknown>>(
  options: CreateDbOptions<TSchema>,
): DbHandle<TSchema> {
  const { logger } = options;
  const sql = postgres(options.url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    backoff: (retries: number) => reconnectDelaySeconds(retries, options.maxReconnectDelayMs),
    idle_timeout: 30,
    prepare: options.prepare ?? true,
    connection: { application_name: options.applicationName ?? 'platform' },
    // postgres.js prints notices with console.log by default; keep them in the structured log.
    onnotice: (notice) => logger?.debug({ notice: notice.message }, 'postgres notice'),
  });
  const db = drizzle(sql, { schema: options.schema }) as Db<TSchema>;
  if (tracingActive()) traceTransactions(db, options.applicationName ?? 'platform');
  return {
    db,
    sql,
    async ping() {
      await sql`select 1`;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

/**
 * postgres.js has no OpenTelemetry instrumentation: each top-level transaction becomes a CLIENT
 * span (`db transaction`), the unit of work whose commit makes a change (and its outbox row)
 * real. Only as a child of a traced request or event: the relay's and workers' polling
 * transactions would otherwise start a trace of their own every few hundred milliseconds.
 */
function traceTransactions(db: Db<Record<string, unknown>>, name: string): void {
  const transaction = db.transaction.bind(db);
  const attributes = { 'db.system.name': 'postgresql', 'db.namespace': name };
  db.transaction = ((fn, config) =>
    withSpan('db transaction', { kind: SpanKind.CLIENT, attributes, childOnly: true }, () => transaction(fn, config))) as typeof db.transaction;
}
