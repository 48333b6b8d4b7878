import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import { createDb } from '../create-db.js';
import { dropDatabase, ensureDatabase } from '../ensure-database.js';
import { runMigrations } from '../migrations.js';
import type { Db } from '../types.js';
import { withUrlDatabase } from '../url.js';

export { withUrlDatabase } from '../url.js';

export interface TestDatabase<TSchema extends Record<string, unknown> = Record<string, unknown>> {
  url: string;
  name: string;
  db: Db<TSchema>;
  sql: postgres.Sql;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions<TSchema extends Record<string, unknown>> {
  /** Server to create it on (default `postgres://postgres@127.0.0.1:5432/postgres`). */
  baseUrl?: string;
  migrationsFolder?: string;
  /** Short label in the database name, e.g. the test file's concern. */
  prefix?: string;
  schema?: TSchema;
  max?: number;
}

export const defaultTestDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, uniquely named database per test file, so files run in parallel without sharing rows. */
export async function createTestDatabase<TSchema extends Record<string, unknown> = Record<string, unknown>>(
  options: CreateTestDatabaseOptions<TSchema> = {},
): Promise<TestDatabase<TSchema>> {
  const prefix = (options.prefix ?? 'db').toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30);
  const name = `t_${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const url = withUrlDatabase(options.baseUrl ?? defaultTestDatabaseUrl, name);
  await ensureDatabase(url);
  const handle = createDb({ url, max: options.max ?? 5, schema: options.schema, applicationName: name });
  try {
    if (options.migrationsFolder) await runMigrations(handle.db, options.migrationsFolder);
  } catch (err) {
    await handle.close();
    await dropDatabase(url);
    throw err;
  }
  return {
    url,
    name,
    db: handle.db,
    sql: handle.sql,
    async drop() {
      await handle.close();
      await dropDatabase(url);
    },
  };
}
