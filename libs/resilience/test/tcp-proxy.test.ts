import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createTcpProxy } from '../src/testing/index.js';

describe('createTcpProxy', () => {
  const clients: postgres.Sql[] = [];
  afterAll(async () => Promise.all(clients.map((sql) => sql.end({ timeout: 1 }))));

  it('carries a real Postgres connection, then cuts and restores it', async () => {
    const proxy = await createTcpProxy('127.0.0.1', 5432);
    const sql = postgres(proxy.url('postgres://postgres@127.0.0.1:5432/postgres'), { max: 1, connect_timeout: 2 });
    clients.push(sql);
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    proxy.cut();
    await expect(sql`select 1`).rejects.toThrow();
    proxy.restore();
    expect(await sql`select 2 as two`).toEqual([{ two: 2 }]);
    await proxy.close();
  });
});
