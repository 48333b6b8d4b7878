// A/B of one outbox write's commit, interleaved in one run (old, new, old, new ...): a service's
// transaction (a row and its event, as registration writes them) with the NOTIFY inside it
// (`enqueueEvent` up to round 7) against the same transaction woken after its commit
// (`wakeAfterCommit`: the service's relay.wake(), or an `outboxWaker` in a process without a relay).
// Not a `npm run bench` scenario: `node --conditions=@platform/source --import tsx tools/bench/outbox-enqueue-ab.ts`.
// BENCH_AB_CLIENTS (20), BENCH_AB_SECONDS (8), BENCH_AB_ROUNDS (3).
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { userRegisteredV1 } from '@platform/contracts';
import { sampleEventData } from '@platform/contracts/testing';
import { createDb, type DbOrTx } from '@platform/db-kit';
import { createTestDatabase } from '@platform/db-kit/testing';
import { enqueueEvent, outboxChannel, outboxRecord, outboxTable, outboxWaker, wakeAfterCommit, type Wake } from '@platform/messaging';
import { sql } from 'drizzle-orm';
import { widgets } from '../../libs/messaging/test/schema.js';
import { envNumber, latencySummary, round } from './lib/stats.js';

const clients = envNumber('BENCH_AB_CLIENTS', 20);
const seconds = envNumber('BENCH_AB_SECONDS', 8);
const rounds = envNumber('BENCH_AB_ROUNDS', 3);
const sample = sampleEventData['users.user.registered.v1'];

/** `enqueueEvent` as it was up to round 7: the row and pg_notify in one statement, inside the transaction. */
async function enqueueNotifying(tx: DbOrTx, correlationId: string): Promise<void> {
  const { event, headers } = outboxRecord(userRegisteredV1, sample(), { correlationId });
  await tx.execute(sql`
    with queued as (
      insert into ${outboxTable} (id, subject, payload, headers)
      values (${event.id}::uuid, ${event.type}, ${JSON.stringify(event)}::jsonb, ${JSON.stringify(headers)}::jsonb)
      returning 1
    )
    select pg_notify(${outboxChannel}, '') from queued`);
}

type Variant = { name: string; enqueue: (tx: DbOrTx, correlationId: string) => Promise<unknown>; wake?: 'relay' | 'waker' };
const variants: Variant[] = [
  { name: 'NOTIFY inside (before)', enqueue: enqueueNotifying },
  { name: 'after commit: relay.wake() (after)', enqueue: (tx, c) => enqueueEvent(tx, userRegisteredV1, sample(), { correlationId: c }), wake: 'relay' },
  { name: 'after commit: outboxWaker (after, no relay)', enqueue: (tx, c) => enqueueEvent(tx, userRegisteredV1, sample(), { correlationId: c }), wake: 'waker' },
];

async function measure(url: string, variant: Variant) {
  const handle = createDb({ url, max: clients, applicationName: 'bench-outbox-ab' });
  const waker = outboxWaker(handle.sql);
  let wakes = 0;
  const wake: Wake = variant.wake === 'waker' ? waker.wake : () => void (wakes += 1);
  if (variant.wake) wakeAfterCommit(handle.db, wake);
  // Every connection open before the clock starts.
  await Promise.all(Array.from({ length: clients }, () => handle.db.transaction(async (tx) => tx.execute(sql`select 1`))));
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await handle.db.transaction(async (tx) => {
          await tx.insert(widgets).values({ id: randomUUID(), name: 'registered' });
          await variant.enqueue(tx, `ab-${latencies.length}`);
        });
        latencies.push(performance.now() - t);
      }
    }),
  );
  await waker.settled();
  await handle.close();
  const ms = latencySummary(latencies);
  return { tps: round(latencies.length / seconds, 0), p50: ms.p50, p99: ms.p99, wakes };
}

async function main(): Promise<void> {
  const migrationsFolder = fileURLToPath(new URL('../../libs/messaging/test/migrations', import.meta.url));
  const tdb = await createTestDatabase({ prefix: 'i12_wake8_ab', migrationsFolder, max: 2 });
  // The relay's LISTEN, as in a service (its NOTIFYs are delivered somewhere).
  let notified = 0;
  const listening = await tdb.sql.listen(outboxChannel, () => void (notified += 1));
  try {
    console.log(`${clients} clients, ${seconds} s per run, ${rounds} rounds interleaved`);
    for (let r = 1; r <= rounds; r++) {
      for (const variant of variants) {
        notified = 0;
        const result = await measure(tdb.url, variant);
        console.log(`round ${r} | ${variant.name.padEnd(44)} | ${String(result.tps).padStart(6)} tx/s | p50 ${result.p50} ms | p99 ${result.p99} ms | NOTIFYs received ${notified}`);
      }
      await tdb.sql`truncate outbox, widgets`;
    }
  } finally {
    await listening.unlisten();
    await tdb.drop();
  }
}

await main();
