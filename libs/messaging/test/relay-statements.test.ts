import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@platform/db-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimRows, markRows, relayBegin } from '../src/relay-statements.js';

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase({ prefix: 'relay_statements', migrationsFolder, max: 1 });
});
afterAll(async () => {
  await tdb?.drop();
});

describe("the relay's statements", () => {
  it('never read the outbox sequentially, also once Postgres runs them on its cached generic plans', async () => {
    // A never-analyzed outbox, as in a fresh database with autovacuum behind (or off): after five
    // runs of a prepared statement Postgres may switch to a generic plan, and keeps it until the
    // table's statistics change. One sequential read there costs the whole table on every batch.
    const ids = Array.from({ length: 4 }, () => randomUUID());
    await tdb.sql`insert into outbox (id, subject, payload) select unnest(${ids}::uuid[]), 'widgets.widget.made.v1', '{}'::jsonb`;
    const conn = await tdb.sql.reserve();
    try {
      // The counters of this connection not yet reported (the migrations' CREATE INDEX read the table too).
      const scans = async () =>
        (await conn<[{ seq: number; idx: number }]>`select seq_scan::int as seq, idx_scan::int as idx from pg_stat_xact_user_tables where relname = 'outbox'`)[0];
      await conn.unsafe(relayBegin);
      const before = await scans();
      // The same connection, the same statements, each run well past the switch.
      for (let run = 0; run < 10; run++) {
        await claimRows(conn, 1000);
        await markRows(conn, ids.slice(0, 2), [null, 'publish timed out']);
        await markRows(conn, ids.slice(2), ['publish timed out', 'publish timed out']);
      }
      const after = await scans();
      expect(after.seq - before.seq).toBe(0);
      expect(after.idx - before.idx).toBeGreaterThanOrEqual(30);
      const rows = await conn<Array<{ id: string; published: boolean; attempts: number; last_error: string | null }>>`
        select id, published_at is not null as published, attempts, last_error from outbox order by array_position(${ids}::uuid[], id)`;
      expect(rows.map((r) => [r.published, r.attempts, r.last_error])).toEqual([
        [true, 10, null],
        [false, 10, 'publish timed out'],
        [false, 10, 'publish timed out'],
        [false, 10, 'publish timed out'],
      ]);
    } finally {
      await conn`rollback`;
      conn.release();
    }
  });

  it('are planned once per connection, not in every batch', async () => {
    // Left to choose, Postgres kept making custom plans for the mark (a batch's few ids against
    // the generic plan's guess of 10), i.e. planned it again in most batches.
    const ids = Array.from({ length: 3 }, () => randomUUID());
    await tdb.sql`insert into outbox (id, subject, payload) select unnest(${ids}::uuid[]), 'widgets.widget.made.v1', '{}'::jsonb`;
    // A session of its own: the statements' counters start at its first batch.
    const client = postgres(tdb.url, { max: 1 });
    const conn = await client.reserve();
    try {
      for (let batch = 0; batch < 12; batch++) {
        await conn.unsafe(relayBegin);
        const claimed = await claimRows(conn, 100);
        await markRows(conn, claimed.map((r) => r.id).slice(0, batch % 3), claimed.slice(0, batch % 3).map(() => 'publish timed out'));
        await conn`rollback`;
      }
      const plans = await conn<Array<{ statement: string; generic: number; custom: number }>>`
        select statement, generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements
        where statement ~ 'for update skip locked|update outbox' and statement !~ 'pg_prepared_statements'`;
      expect(plans).toHaveLength(2);
      for (const plan of plans) expect({ custom: plan.custom, runs: plan.generic + plan.custom }).toEqual({ custom: 0, runs: 12 });
    } finally {
      conn.release();
      await client.end();
      await tdb.sql`delete from outbox where id = any(${ids}::uuid[])`;
    }
  });

  it('open the transaction with its settings, which end with it: the connection goes back as it came', async () => {
    const conn = await tdb.sql.reserve();
    const settings = async () =>
      (await conn<[{ sync: string; seq: string; plans: string }]>`
        select current_setting('synchronous_commit') as sync, current_setting('enable_seqscan') as seq, current_setting('plan_cache_mode') as plans`)[0];
    try {
      const before = await settings();
      expect(before).toEqual({ sync: 'on', seq: 'on', plans: 'auto' });
      await conn.unsafe(relayBegin);
      expect(await settings()).toEqual({ sync: 'off', seq: 'off', plans: 'force_generic_plan' });
      await claimRows(conn, 10);
      await conn`commit`;
      expect(await settings()).toEqual(before);
    } finally {
      conn.release();
    }
  });
});
