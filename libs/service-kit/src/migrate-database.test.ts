import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from './migrate-database.js';
import type { ServiceConfig } from './service-config.js';

/** One migration creating `widgets`, in drizzle's folder layout. */
function migrationsFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-'));
  mkdirSync(join(dir, 'meta'));
  writeFileSync(join(dir, '0000_init.sql'), 'CREATE TABLE "widgets" ("id" integer PRIMARY KEY);\n');
  const entry = { idx: 0, version: '7', when: 1795329143940, tag: '0000_init', breakpoints: true };
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries: [entry] }));
  return dir;
}

const server = 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `t_migrate_${randomBytes(4).toString('hex')}`;
const admin = postgres(server, { max: 1, onnotice: () => undefined });

afterAll(async () => {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('migrateDatabase (node main.js --migrate)', () => {
  it('creates the database when allowed and applies the migrations once, however often it runs', async () => {
    const config = { service: 'widgets', databaseUrl: new URL(`/${name}`, server).href, autoCreateDatabase: true } as ServiceConfig;
    const folder = migrationsFolder();
    await migrateDatabase(config, folder);
    await migrateDatabase(config, folder);
    const db = postgres(config.databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      expect(await db`select count(*)::int as n from widgets`).toEqual([{ n: 0 }]);
      expect(await db`select count(*)::int as n from drizzle.__drizzle_migrations`).toEqual([{ n: 1 }]);
    } finally {
      await db.end();
    }
  });

  it('fails on a missing database it may not create, creating nothing', async () => {
    const missing = `t_migrate_missing_${randomBytes(4).toString('hex')}`;
    const config = { service: 'widgets', databaseUrl: new URL(`/${missing}`, server).href, autoCreateDatabase: false } as ServiceConfig;
    await expect(migrateDatabase(config, migrationsFolder())).rejects.toThrow(/does not exist/);
    expect(await admin`select 1 from pg_database where datname = ${missing}`).toHaveLength(0);
  });
});
