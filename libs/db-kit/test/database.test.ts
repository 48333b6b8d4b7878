import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { and, asc, count, eq, gte, lt, sql as dsql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDb,
  deleteInBatches,
  dropDatabase,
  ensureDatabase,
  findPage,
  runMigrations,
  withTransaction,
  withUrlDatabase,
} from '../src/index.js';
import { createTestDatabase, defaultTestDatabaseUrl, type TestDatabase } from '../src/testing/index.js';
import { notes } from './schema.js';

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

describe('ensureDatabase', () => {
  const url = withUrlDatabase(defaultTestDatabaseUrl, `t_ensure_${randomBytes(4).toString('hex')}`);
  afterAll(() => dropDatabase(url));

  it('creates a missing database once, and is idempotent under a race', async () => {
    const results = await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
    expect(results.filter(Boolean).length).toBeLessThanOrEqual(1);
    expect(await ensureDatabase(url)).toBe(false);
    const handle = createDb({ url });
    await expect(handle.ping()).resolves.toBeUndefined();
    await handle.close();
  });
});

describe('createDb', () => {
  it('ping fails fast when the server is unreachable', async () => {
    const handle = createDb({ url: 'postgres://postgres@127.0.0.1:1/nowhere', connectTimeoutSeconds: 1 });
    const started = Date.now();
    await expect(handle.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
    await handle.close();
  });
});

describe('migrations and helpers on a test database', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase({ prefix: 'dbkit', migrationsFolder });
  });
  afterAll(() => tdb?.drop());

  it('applies migrations, and applying them again is a no-op', async () => {
    await Promise.all([runMigrations(tdb.db, migrationsFolder), runMigrations(tdb.db, migrationsFolder)]);
    const applied = await tdb.sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(applied[0]?.n).toBe(1);
    const [row] = await tdb.db.insert(notes).values({ body: 'hello', position: 1 }).returning();
    expect(row?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row?.createdAt).toBeInstanceOf(Date);
  });

  it('updatedAt moves on update', async () => {
    const [row] = await tdb.db.insert(notes).values({ body: 'u', position: 100 }).returning();
    if (!row) throw new Error('insert returned nothing');
    await new Promise((r) => setTimeout(r, 5));
    const [updated] = await tdb.db.update(notes).set({ body: 'v' }).where(eq(notes.id, row.id)).returning();
    expect(updated?.updatedAt.getTime()).toBeGreaterThan(row.updatedAt.getTime());
  });

  it('withTransaction commits or rolls back as a whole', async () => {
    await expect(
      withTransaction(tdb.db, async (tx) => {
        await tx.insert(notes).values({ body: 'rolled back', position: 2 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const gone = await tdb.db.select().from(notes).where(eq(notes.body, 'rolled back'));
    expect(gone).toHaveLength(0);
    const id = await withTransaction(tdb.db, async (tx) => {
      const [r] = await tx.insert(notes).values({ body: 'kept', position: 3 }).returning({ id: notes.id });
      return r?.id;
    });
    expect(id).toBeTruthy();
  });

  it('findPage returns a page and the total', async () => {
    await tdb.db.delete(notes);
    await tdb.db.insert(notes).values(Array.from({ length: 7 }, (_, i) => ({ body: `n${i}`, position: i })));
    const page = await findPage(
      { page: 2, pageSize: 3 },
      ({ limit, offset }) => tdb.db.select().from(notes).orderBy(asc(notes.position)).limit(limit).offset(offset),
      async () => (await tdb.db.select({ n: count() }).from(notes))[0]?.n ?? 0,
    );
    expect(page.total).toBe(7);
    expect(page.items.map((n) => n.position)).toEqual([3, 4, 5]);
  });

  it('deleteInBatches removes exactly the matching rows, batch after batch', async () => {
    await tdb.db.insert(notes).values(Array.from({ length: 23 }, (_, i) => ({ body: 'batch', position: 1_000 + i })));
    const matching = and(eq(notes.body, 'batch'), lt(notes.position, 1_017));
    expect(await deleteInBatches(tdb.db, notes, matching, 5)).toBe(17);
    const left = await tdb.db.select({ position: notes.position }).from(notes).where(eq(notes.body, 'batch')).orderBy(asc(notes.position));
    expect(left.map((n) => n.position)).toEqual([1_017, 1_018, 1_019, 1_020, 1_021, 1_022]);
    expect(await deleteInBatches(tdb.db, notes, and(eq(notes.body, 'batch'), gte(notes.position, 5_000)), 5)).toBe(0);
    await expect(deleteInBatches(tdb.db, notes, and())).rejects.toThrow(/needs a condition/);
  });

  it('a postgres.js result is an array with its facts beside it, none of them among its keys (patched Result)', async () => {
    const rows = await tdb.sql<Array<{ one: number; two: string }>>`select 1 as one, 'b' as two`;
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.count).toBe(1);
    expect(rows.command).toBe('SELECT');
    expect(rows.columns.map((column) => column.name)).toEqual(['one', 'two']);
    expect(rows.statement.string).toBe('select 1 as one, \'b\' as two');
    // What callers see of the rows is the rows alone: keys, JSON, spread, destructuring, toEqual.
    expect(Object.keys(rows)).toEqual(['0']);
    expect(JSON.stringify(rows)).toBe('[{"one":1,"two":"b"}]');
    expect([...rows]).toEqual([{ one: 1, two: 'b' }]);
    const { count } = rows;
    expect(count).toBe(1);
    // Array methods answer plain arrays (Symbol.species), as before.
    expect(rows.map((row) => row.one).constructor).toBe(Array);
    const values = await tdb.sql.unsafe('select $1::int as n', [7], { prepare: true }).values();
    expect(values).toEqual([[7]]);
    expect(values.count).toBe(1);
    const updated = await tdb.sql`update notes set position = position where false`;
    expect([updated.count, updated.command, updated.length]).toEqual([0, 'UPDATE', 0]);
  });

  it('a prepared statement is reused by its text and parameter types, one per pair (patched signature)', async () => {
    const one = await tdb.sql.reserve();
    try {
      const text = 'select pg_typeof($1)::text as t';
      const asText = () => one.unsafe(text, [one.typed('5', 25)], { prepare: true });
      const asInt = () => one.unsafe(text, [one.typed(5, 23)], { prepare: true });
      const [first, second, third, fourth] = [await asText(), await asInt(), await asText(), await asInt()];
      expect([first, second, third, fourth].map((rows) => rows[0]?.t)).toEqual(['text', 'integer', 'text', 'integer']);
      expect(third.statement.name).toBe(first.statement.name);
      expect(fourth.statement.name).toBe(second.statement.name);
      expect(second.statement.name).not.toBe(first.statement.name);
    } finally {
      one.release();
    }
  });

  it('each test database is isolated from the others', async () => {
    const other = await createTestDatabase({ prefix: 'dbkit_other', migrationsFolder });
    try {
      expect(other.name).not.toBe(tdb.name);
      await other.db.insert(notes).values({ body: 'elsewhere', position: 1 });
      const mine = await tdb.db.select().from(notes).where(eq(notes.body, 'elsewhere'));
      expect(mine).toHaveLength(0);
    } finally {
      await other.drop();
    }
    const exists = await tdb.sql`select 1 from pg_database where datname = ${other.name}`;
    expect(exists).toHaveLength(0);
    expect((await tdb.db.execute(dsql`select 1 as one`))[0]).toEqual({ one: 1 });
  });
});
