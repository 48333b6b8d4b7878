import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@platform/db-kit/testing';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelinedDrizzleTransaction, pipelinedTransaction, TransactionRolledBackError } from '../src/pipelined-transaction.js';
import { widgets } from './schema.js';

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
let tdb: TestDatabase;

beforeAll(async () => {
  // Two connections: a transaction that did not give its connection back would stall the rest.
  tdb = await createTestDatabase({ prefix: 'pipelined', migrationsFolder, max: 2 });
});
afterAll(async () => {
  await tdb?.drop();
});

const names = async (ids: string[]) => (await tdb.db.select().from(widgets).where(inArray(widgets.id, ids))).map((w) => w.name).sort();

describe('pipelinedTransaction', () => {
  it('commits the body and the finishing statement together, in one transaction', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const xids = await pipelinedTransaction(
      tdb.sql,
      async (conn) => {
        await conn`insert into widgets (id, name) values (${a}, 'body')`;
        const [row] = await conn<[{ xid: string }]>`select txid_current()::text as xid`;
        return row.xid;
      },
      (conn) => conn`insert into widgets (id, name) values (${b}, 'finish')`.execute(),
    );
    expect(xids).toMatch(/^\d+$/);
    expect(await names([a, b])).toEqual(['body', 'finish']);
  });

  it('opens with the given BEGIN text: its settings hold for the body and the finishing statement, and end with the transaction', async () => {
    const setting = (conn: typeof tdb.sql) => conn<[{ timeout: string }]>`select current_setting('statement_timeout') as timeout`;
    const seen = await pipelinedTransaction(
      tdb.sql,
      async (conn) => (await setting(conn))[0].timeout,
      // Sent before the COMMIT (execute(): a query is otherwise sent when first awaited).
      async (conn, inBody) => expect([inBody, (await setting(conn).execute())[0].timeout]).toEqual(['1234ms', '1234ms']),
      { begin: "begin; set local statement_timeout = '1234ms'", timeoutMs: 5_000 },
    );
    expect(seen).toBe('1234ms');
    // Both pooled connections, whichever ran it: back with the server's setting.
    const after = await Promise.all([tdb.sql.reserve(), tdb.sql.reserve()]);
    try {
      for (const conn of after) expect((await setting(conn))[0].timeout).toBe('0');
    } finally {
      for (const conn of after) conn.release();
    }
  });

  it('fails, rolls back and gives the connection back when its BEGIN text fails', async () => {
    const id = randomUUID();
    await expect(
      pipelinedTransaction(tdb.sql, async (conn) => {
        await conn`insert into widgets (id, name) values (${id}, 'never')`;
      }, undefined, { begin: 'begin; set local no_such_setting_here = 1' }),
    ).rejects.toThrow(/no_such_setting_here|current transaction is aborted/);
    expect(await names([id])).toEqual([]);
    const conns = await Promise.all([tdb.sql.reserve(), tdb.sql.reserve()]);
    for (const conn of conns) conn.release();
  });

  it('rolls back a body that throws, a finishing statement that fails and a failure the body swallowed, and gives the connection back each time', async () => {
    for (let round = 0; round < 3; round++) {
      const id = randomUUID();
      await expect(
        pipelinedTransaction(tdb.sql, async (conn) => {
          await conn`insert into widgets (id, name) values (${id}, 'thrown')`;
          throw new Error('business rule broken');
        }),
      ).rejects.toThrow('business rule broken');

      const finished = randomUUID();
      await expect(
        pipelinedTransaction(
          tdb.sql,
          async (conn) => conn`insert into widgets (id, name) values (${finished}, 'before a bad finish')`,
          (conn) => conn`insert into widgets (id, name) values (${finished}, 'duplicate key')`.execute(),
        ),
      ).rejects.toMatchObject({ code: '23505' });

      const swallowed = randomUUID();
      await expect(
        pipelinedTransaction(tdb.sql, async (conn) => {
          await conn`insert into widgets (id, name) values (${swallowed}, 'kept?')`;
          await conn`select 1 / 0`.catch(() => undefined); // the transaction is aborted from here on
        }),
      ).rejects.toBeInstanceOf(TransactionRolledBackError);
      expect(await names([id, finished, swallowed])).toEqual([]);
    }
    // Every connection is idle again, outside any transaction.
    const [{ open }] = await tdb.sql<[{ open: number }]>`
      select count(*)::int as open from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`;
    expect(open).toBe(0);
  });
});

describe('pipelinedDrizzleTransaction', () => {
  it('is drizzle\'s transaction: statements share it, a nested one is a savepoint', async () => {
    const [outer, inner] = [randomUUID(), randomUUID()];
    await pipelinedDrizzleTransaction(tdb.db, async (tx) => {
      await tx.insert(widgets).values({ id: outer, name: 'outer' });
      await expect(
        tx.transaction(async (nested) => {
          await nested.insert(widgets).values({ id: inner, name: 'inner' });
          throw new Error('inner failure');
        }),
      ).rejects.toThrow('inner failure');
      await tx.update(widgets).set({ applied: sql`${widgets.applied} + 1` }).where(eq(widgets.id, outer));
    });
    const rows = await tdb.db.select().from(widgets).where(inArray(widgets.id, [outer, inner]));
    expect(rows).toEqual([expect.objectContaining({ id: outer, name: 'outer', applied: 1 })]);

    const lost = randomUUID();
    await expect(
      pipelinedDrizzleTransaction(tdb.db, async (tx) => {
        await tx.insert(widgets).values({ id: lost, name: 'rolled back' });
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await names([lost])).toEqual([]);
  });
});
