import { createTcpProxy, waitFor, type TcpProxy } from '@platform/resilience/testing';
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
    // Cut once the server runs it (this database's: other suites share the server).
    await waitFor(
      async () =>
        (await tdb.sql`select 1 from pg_stat_activity where datname = current_database() and query = 'select pg_sleep(5)' and state = 'active'`).length > 0,
    );
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

describe('reserved connections (tools/patches: closed while reserved, porsager/postgres#1195, #925)', () => {
  let tdb: TestDatabase;
  let proxy: TcpProxy;
  beforeAll(async () => {
    tdb = await createTestDatabase({ prefix: 'reserved' });
    proxy = await createTcpProxy('127.0.0.1', 5432);
  });
  afterAll(async () => {
    await proxy?.close();
    await tdb?.drop();
  });

  it('a reserved connection that closes fails what is queued on it and what comes after, and release() leaves the pool whole', async () => {
    let closes = 0;
    const sql = postgres(proxy.url(tdb.url), { max: 1, connect_timeout: 2, backoff: () => 0.02, onclose: () => closes++, onnotice: () => undefined });
    try {
      const conn = await sql.reserve();
      await conn`select 1`;
      proxy.cut();
      await waitFor(() => closes > 0);
      // A statement with a parameter, new on this connection, is described first: the one behind
      // it waits in the reserved connection's own queue. Before the patch that one never settled.
      const settled = await Promise.allSettled([conn`select ${1}::int as one`, conn`select 2 as two`]);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
      conn.release();
      proxy.restore();
      // Before the patch release() put the closed connection among the open ones: this failed on it.
      await expect(sql`select 3 as three`).resolves.toEqual([{ three: 3 }]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it('a reserve waiting for a busy connection that is lost gets it once it reconnects (#1195)', async () => {
    let closes = 0;
    const sql = postgres(proxy.url(tdb.url), { max: 1, connect_timeout: 2, backoff: () => 0.02, onclose: () => closes++, onnotice: () => undefined });
    try {
      const [{ pid }] = await sql<[{ pid: number }]>`select pg_backend_pid() as pid`;
      const busy = sql`select pg_sleep(5)`.catch((err: unknown) => err);
      await new Promise((resolve) => setImmediate(resolve)); // the query is on the pool's only connection
      const reserving = sql.reserve(); // so this one waits in the pool's queue
      await waitFor(async () => (await tdb.sql`select 1 from pg_stat_activity where pid = ${pid} and state = 'active'`).length > 0);
      // A blip: the connection is lost, and its reconnect (which carries the waiting reserve) succeeds.
      proxy.cut();
      proxy.restore();
      expect(await busy).toMatchObject({ code: expect.stringMatching(/CONNECTION_CLOSED|ECONNRESET/) });
      // Before the patch the reconnect dropped the reserve it carried: it never settled.
      const conn = await reserving;
      expect(closes).toBe(1);
      await expect(conn`select 1 as one`).resolves.toEqual([{ one: 1 }]);
      conn.release();
      await expect(sql`select 2 as two`).resolves.toEqual([{ two: 2 }]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it('end() finishes once a connection reserved while it was called is released (#925)', async () => {
    const sql = postgres(tdb.url, { max: 1, onnotice: () => undefined });
    const conn = await sql.reserve();
    await conn`select 1`;
    const ending = sql.end(); // no timeout: before the patch this never resolved
    await new Promise((resolve) => setImmediate(resolve)); // end() has asked every connection to end
    conn.release();
    await ending;
  });
});
