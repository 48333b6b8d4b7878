// The consumer framework's own cost per event, without any service's handler:
//   consumer-overhead   BENCH_OVERHEAD_EVENTS (default 5,000) events already in a stream of their
//                       own, applied by libs/messaging's createConsumer with a handler that does
//                       nothing (the framework's work is all there is: pull, decode and validate,
//                       the inbox INSERT and the transaction, the ack, metrics, the logger);
//                       reported: CPU per event of the consuming process and of its Postgres
//                       backends, and the transactions the batches took. BENCH_OVERHEAD_BATCH
//                       (default 32, the services' batch) sets the consumer's batchSize: 1 shows
//                       the cost of a transaction of one event, what a consumer pays at a low rate.
//                       BENCH_OVERHEAD_HANDLER: `none` (default), `upsert` (one prepared upsert per
//                       event, awaited: a projection's one statement) or `upsert-with-commit` (the
//                       same statement given to ctx.sendWithCommit: it goes out with the COMMIT);
//                       both keyed by user, as billing's and notifications' users consumers are.
// The consumer runs in this process (it is a library, not a server): its CPU is this process's
// over the consuming window, which holds nothing else but a count query every 100 ms.
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { userRegisteredV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { clientOf, type Tx } from '@platform/db-kit';
import { createTestDatabase } from '@platform/db-kit/testing';
import { createLogger } from '@platform/logging';
import { createMetrics } from '@platform/metrics';
import { createConsumer, inboxTable, toMsgHdrs, type HandlerContext } from '@platform/messaging';
import { createTestMessaging } from '@platform/messaging/testing';
import { startCpuWindow, type ProcessGroup } from './lib/cpu-meter.js';
import { databaseName } from './lib/servers.js';
import { postgresActivity } from './lib/postgres-activity.js';
import { envNumber, round } from './lib/stats.js';
import type { BenchScenario } from './types.js';

const migrationsFolder = fileURLToPath(new URL('../../libs/messaging/test/migrations', import.meta.url));

type Registered = { data: { userId: string; fullName: string } };
const upsertWidget = 'insert into widgets (id, name, applied) values ($1, $2, 1) on conflict (id) do update set applied = widgets.applied + 1';
const upsert = (event: Registered, tx: Tx) => clientOf(tx).unsafe(upsertWidget, [event.data.userId, event.data.fullName], { prepare: true });

/** Each handler writes a debug line, as the services' do; `upsert*` also the event's one statement. */
const handlers: Record<string, (event: Registered, tx: Tx, ctx: HandlerContext) => Promise<void>> = {
  none: async (event, _tx, ctx) => ctx.logger.debug({ userId: event.data.userId }, 'applied'),
  upsert: async (event, tx, ctx) => {
    ctx.logger.debug({ userId: event.data.userId }, 'applied');
    await upsert(event, tx);
  },
  'upsert-with-commit': async (event, tx, ctx) => {
    ctx.logger.debug({ userId: event.data.userId }, 'applied');
    ctx.sendWithCommit(upsert(event, tx));
  },
};

export const consumerOverhead: BenchScenario = {
  name: 'consumer-overhead',
  description: 'createConsumer with a handler that does nothing: the framework\'s CPU per event (inbox, transaction, ack, decode, metrics, logging)',
  servers: 'in-process',
  async run({ log }) {
    const count = envNumber('BENCH_OVERHEAD_EVENTS', 5000);
    const batchSize = envNumber('BENCH_OVERHEAD_BATCH', 32);
    const handlerName = process.env.BENCH_OVERHEAD_HANDLER ?? 'none';
    const handler = handlers[handlerName];
    if (!handler) throw new Error(`BENCH_OVERHEAD_HANDLER=${handlerName}: one of ${Object.keys(handlers).join(', ')}`);
    const tdb = await createTestDatabase({ prefix: 'bench_overhead', migrationsFolder });
    // A real logger at the services' level, writing nowhere.
    const logger = createLogger({ service: 'bench-overhead', level: 'info', destination: new Writable({ write: (_c, _e, done) => done() }) });
    const m = await createTestMessaging({ logger, prefix: 'benchov' });
    const pg = postgresActivity();
    try {
      await m.ensureStreams();
      const subject = m.subject(userRegisteredV1.type);
      log(`publishing ${count} events`);
      for (let i = 0; i < count; i += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, count - i) }, () => {
            const event = sampleEvent(userRegisteredV1.type);
            return m.js.publish(subject, JSON.stringify(event), { msgID: event.id, headers: toMsgHdrs({ 'x-correlation-id': event.correlationId }) });
          }),
        );
      }
      const consumer = createConsumer({
        name: 'bench-overhead',
        stream: 'users',
        contracts: [userRegisteredV1],
        handler,
        ...(handlerName === 'none' ? {} : { concurrencyKey: (event: Registered) => event.data.userId }),
        db: tdb.db,
        js: m.js,
        jsm: m.jsm,
        logger,
        namespace: m.namespace,
        batchSize,
        metrics: createMetrics({ service: 'bench-overhead', defaultMetrics: false }),
      });
      const groups: ProcessGroup[] = [
        { name: 'consumer (this process)', pids: () => [process.pid] },
        pg.database('postgres (consumer db)', databaseName(tdb.url)),
      ];
      log('consuming');
      const window = await startCpuWindow(groups);
      const t0 = performance.now();
      await consumer.start();
      while ((await tdb.db.$count(inboxTable)) < count) await new Promise((resolve) => setTimeout(resolve, 100));
      const seconds = (performance.now() - t0) / 1000;
      const cpu = await window.stop();
      await consumer.stop();
      const [{ transactions }] = (await tdb.sql`select count(distinct processed_at)::int as transactions from inbox`) as unknown as [{ transactions: number }];
      const kind = handlerName === 'none' ? 'no-op handler' : `${handlerName} handler`;
      const label = batchSize === 32 ? `${count} events, ${kind}` : `${count} events, ${kind}, batches of ${batchSize}`;
      return [
        { scenario: 'consumer-overhead', name: `${label}: events/s`, metric: 'events/s', value: round(count / seconds), detail: { transactions, 'events per transaction': round(count / transactions, 1) } },
        ...cpu.map((g) => ({ scenario: 'consumer-overhead', name: `${label}: CPU per event, ${g.name}`, metric: 'µs', value: round(g.cpuMicros / count), detail: { target: 'a consumer ≤ 300 µs per event, handler included' } })),
      ];
    } finally {
      await pg.close();
      await m.cleanup();
      await tdb.drop();
    }
  },
};
