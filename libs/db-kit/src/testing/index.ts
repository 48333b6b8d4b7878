import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * Makes the database refuse the writes to `table` whose new row matches `when` (SQL over `new`),
 * as a failing statement would, for tests of what a refused write costs. Attempts are counted by a
 * sequence (not rolled back with them); `lift()` lets such writes through again.
 */
export async function refuseWrites(sql: postgres.Sql, table: string, when: string): Promise<{ attempts(): Promise<number>; lift(): Promise<void> }> {
  const name = `refuse_${table}`;
  await sql.unsafe(`create sequence ${name}_attempts`);
  await sql.unsafe(`create function ${name}() returns trigger language plpgsql as $$
    begin perform nextval('${name}_attempts'); raise exception 'write to ${table} refused by the test'; end $$`);
  await sql.unsafe(`create trigger ${name} before insert or update on ${table} for each row when (${when}) execute function ${name}()`);
  return {
    attempts: async () => Number((await sql.unsafe(`select case when is_called then last_value else 0 end as n from ${name}_attempts`))[0]?.n),
    lift: async () => {
      await sql.unsafe(`drop trigger ${name} on ${table}`);
    },
  };
}

/**
 * Applies the migrations of `migrationsFolder` that come before the one tagged `tag` (its
 * journal's `tag`), so a test can fill a database as it was and then migrate it the whole way.
 */
export async function migrateBefore(db: Db, migrationsFolder: string, tag: string): Promise<void> {
  const before = mkdtempSync(join(tmpdir(), 'migrations-before-'));
  try {
    cpSync(migrationsFolder, before, { recursive: true });
    const journalFile = join(before, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
    const at = journal.entries.findIndex((e) => e.tag === tag);
    if (at < 0) throw new Error(`no migration tagged ${tag} in ${migrationsFolder}`);
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
    await runMigrations(db, before);
  } finally {
    rmSync(before, { recursive: true, force: true });
  }
}
