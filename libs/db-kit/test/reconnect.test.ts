import { createTcpProxy, type TcpProxy } from '@platform/resilience/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, reconnectDelaySeconds, type DbHandle } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

describe('reconnectDelaySeconds', () => {
  it('stays short however many attempts failed (postgres.js grows to 20 s)', () => {
    for (let retries = 0; retries < 50; retries++) {
      expect(reconnectDelaySeconds(retries, 500, () => 1)).toBeLessThanOrEqual(0.5);
    }
    expect(reconnectDelaySeconds(1, 500, () => 1)).toBe(0.02);
    expect(reconnectDelaySeconds(30, 500, () => 0)).toBe(0.25);
  });
});

describe('a pool after Postgres comes back', () => {
  let tdb: TestDatabase;
  let proxy: TcpProxy;
  let handle: DbHandle;
  beforeAll(async () => {
    tdb = await createTestDatabase({ prefix: 'reconnect' });
    proxy = await createTcpProxy('127.0.0.1', 5432);
    handle = createDb({ url: proxy.url(tdb.url), max: 3, connectTimeoutSeconds: 2 });
  });
  afterAll(async () => {
    await handle?.close();
    await proxy?.close();
    await tdb?.drop();
  });

  it('answers within a second, even after many failed reconnects', async () => {
    await handle.ping();
    proxy.cut();
    // Every failure raises the pool-wide retry count: with the default backoff the next wait would be ~20 s.
    for (let i = 0; i < 10; i++) await expect(handle.ping()).rejects.toThrow();
    proxy.restore();
    const started = Date.now();
    await Promise.all([handle.ping(), handle.sql`select 1`, handle.sql`select 2`]);
    // A bound on recovery, not a speed figure: 20 s before the fix, well under a second after.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('closes at once after a connection was lost mid-query (tools/patches: porsager/postgres#1097)', async () => {
    const other = createDb({ url: proxy.url(tdb.url), max: 3, connectTimeoutSeconds: 2 });
    await other.ping();
    const slow = other.sql`select pg_sleep(5)`.catch((e: unknown) => e);
    // Cut once the server runs it (bounded wait on pg_stat_activity).
    for (let i = 0; i < 200; i++) {
      const [running] = await tdb.sql`select count(*)::int as n from pg_stat_activity where query = 'select pg_sleep(5)' and state = 'active'`;
      if (running?.n) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    proxy.cut();
    expect(await slow).toMatchObject({ code: expect.stringMatching(/CONNECTION_CLOSED|ECONNRESET/) });
    proxy.restore();
    await other.ping();
    const started = Date.now();
    await other.close(); // without the patch: waits out its 5 s timeout on the forgotten query
    expect(Date.now() - started).toBeLessThan(2_500);
  });
});

describe('a connection whose type query fails (tools/patches: porsager/postgres#1192)', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase({ prefix: 'typefetch' });
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('fails the query waiting on it, and leaves no unhandled rejection to kill the process', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    // postgres.js fetches array types as a new connection's first query: hold pg_type locked (in this
    // test's own database) so that query waits, and let a statement timeout cancel it.
    const locker = await tdb.sql.reserve();
    const sql = postgres(tdb.url, { max: 1, connection: { statement_timeout: 200 } as never, onnotice: () => undefined });
    try {
      await locker`begin`;
      await locker`lock table pg_catalog.pg_type in access exclusive mode`;
      await expect(sql`select 1`).rejects.toThrow(/statement timeout/);
      await locker`rollback`;
      // Node reports unhandled rejections once the microtask queue drains, before the next macrotask.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
      locker.release();
      await sql.end({ timeout: 1 });
    }
  });
});
