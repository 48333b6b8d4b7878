import { randomUUID } from 'node:crypto';
import { parseEvent, userRegisteredV1, type EventEnvelope } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { createDb, type DbHandle } from '@platform/db-kit';
import { createDependencyMonitor, type DependencyMonitor } from '@platform/resilience';
import { createTcpProxy, type TcpProxy } from '@platform/resilience/testing';
import { inArray, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBatchConsumer, createConsumer, createOutboxRelay, enqueueEvent } from '../src/index.js';
import { countSubjectMessages, readDeadLetters, waitFor } from '../src/testing/index.js';
import { useConsumerFixture } from './consumer-fixture.js';
import { widgets } from './schema.js';

type UserRegistered = EventEnvelope<typeof userRegisteredV1>;
const fx = useConsumerFixture('outage');

// The consumers' database goes through a proxy the test can cut: Postgres "goes down" for them only.
let proxy: TcpProxy;
let handle: DbHandle;
let availability: DependencyMonitor;
beforeEach(async () => {
  proxy = await createTcpProxy('127.0.0.1', 5432);
  handle = createDb({ url: proxy.url(fx.tdb.url), max: 3, connectTimeoutSeconds: 2 });
  availability = createDependencyMonitor({ name: 'postgres', probe: () => handle.ping(), logger: fx.m.logger });
});
afterEach(async () => {
  await Promise.all(fx.running.splice(0).map((c) => c.stop()));
  availability.close();
  await handle.close();
  await proxy.close();
});

const ACK_WAIT_MS = 2_000;
/** Longer than the consumers' whole retry budget and several ack waits: the old code dead-lettered here. */
const OUTAGE_MS = 3 * ACK_WAIT_MS;

const publish = (event: UserRegistered) => fx.m.js.publish(fx.m.subject(event.type), JSON.stringify(event), { msgID: event.id });
const appliedOf = async (events: UserRegistered[]) =>
  fx.tdb.db.select().from(widgets).where(inArray(widgets.id, events.map((e) => e.data.userId)));

/** Events keep arriving while the database is away for OUTAGE_MS; resolves once it is back. */
async function outageWhilePublishing(during: UserRegistered[]): Promise<void> {
  proxy.cut();
  for (const event of during) await publish(event);
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS)); // the fault's duration, not a proof
  proxy.restore();
}

describe('a database outage longer than the retry budget', () => {
  it.each([
    ['awaited', false],
    ['sent with the COMMIT', true],
  ])('costs the per-message consumer no attempt (last statement %s): every event applied once, nothing dead-lettered', async (_label, withCommit) => {
    const deliveries: number[] = [];
    const consumer = createConsumer({
      name: 'outage-test',
      stream: 'users',
      contracts: [userRegisteredV1],
      handler: async (event, tx, ctx) => {
        deliveries.push(ctx.deliveryCount);
        const statement = tx
          .insert(widgets)
          .values({ id: event.data.userId, name: event.data.fullName, applied: 1 })
          .onConflictDoUpdate({ target: widgets.id, set: { applied: sql`${widgets.applied} + 1` } });
        if (withCommit) ctx.sendWithCommit(statement);
        else await statement;
      },
      db: handle.db,
      availability,
      js: fx.m.js,
      jsm: fx.m.jsm,
      logger: fx.m.logger,
      namespace: fx.m.namespace,
      maxAttempts: 2,
      backoffMs: [20],
      ackWaitMs: ACK_WAIT_MS,
      maxMessages: 4,
    });
    await consumer.start();
    fx.running.push(consumer);

    const before = Array.from({ length: 3 }, () => sampleEvent('users.user.registered.v1'));
    for (const event of before) await publish(event);
    await waitFor(async () => (await appliedOf(before)).length === 3);

    const during = Array.from({ length: 12 }, () => sampleEvent('users.user.registered.v1'));
    await outageWhilePublishing(during);
    await waitFor(async () => (await appliedOf(during)).length === during.length, { timeoutMs: 15_000 });

    expect((await appliedOf([...before, ...during])).map((w) => w.applied)).toEqual(Array(15).fill(1));
    expect(await readDeadLetters(fx.m.jsm, fx.m.namespace)).toEqual([]);
    // Held messages were kept checked out: none was redelivered, so none used a second delivery.
    expect(Math.max(...deliveries)).toBe(1);
  });

  it('costs the batch consumer no attempt either', async () => {
    const consumer = createBatchConsumer<UserRegistered>({
      name: 'outage-batch-test',
      stream: 'users',
      js: fx.m.js,
      jsm: fx.m.jsm,
      logger: fx.m.logger,
      namespace: fx.m.namespace,
      batchSize: 5,
      maxAttempts: 2,
      backoffMs: [20],
      ackWaitMs: ACK_WAIT_MS,
      availability,
      decode: (msg) => {
        const parsed = parseEvent(userRegisteredV1, msg.data);
        return parsed.success ? { ok: true, value: parsed.event } : { ok: false, reason: parsed.reason };
      },
      store: async (events) => {
        await handle.db.insert(widgets).values(events.map((e) => ({ id: e.data.userId, name: e.data.fullName, applied: 1 }))).onConflictDoNothing();
      },
    });
    await consumer.start();
    fx.running.push(consumer);

    const during = Array.from({ length: 12 }, () => sampleEvent('users.user.registered.v1'));
    const first = sampleEvent('users.user.registered.v1');
    await publish(first);
    await waitFor(async () => (await appliedOf([first])).length === 1);
    await outageWhilePublishing(during);
    await waitFor(async () => (await appliedOf(during)).length === during.length, { timeoutMs: 15_000 });
    expect(await readDeadLetters(fx.m.jsm, fx.m.namespace)).toEqual([]);
    const info = await fx.m.jsm.consumers.info(fx.m.streamName('USERS'), 'outage-batch-test');
    expect(info.num_redelivered).toBe(0);
  });

  it('the outbox relay waits for the database and then publishes what was committed', async () => {
    const relay = createOutboxRelay({ db: handle.db, js: fx.m.js, logger: fx.m.logger, namespace: fx.m.namespace, pollIntervalMs: 50, availability });
    await relay.start();
    try {
      const subject = fx.m.subject(userRegisteredV1.type);
      const committed = await fx.tdb.db.transaction((tx) =>
        enqueueEvent(tx, userRegisteredV1, sampleEvent('users.user.registered.v1').data, { correlationId: randomUUID() }),
      );
      await waitFor(async () => (await countSubjectMessages(fx.m.jsm, fx.m.streamName('USERS'), subject)) === 1);
      proxy.cut();
      // Committed while the relay cannot reach the database (the app's own connection still can).
      await fx.tdb.db.transaction((tx) => enqueueEvent(tx, userRegisteredV1, sampleEvent('users.user.registered.v1').data, { correlationId: randomUUID() }));
      await waitFor(() => availability.isDown());
      proxy.restore();
      await waitFor(async () => (await countSubjectMessages(fx.m.jsm, fx.m.streamName('USERS'), subject)) === 2, { timeoutMs: 5_000 });
      expect(committed.id).toBeDefined();
    } finally {
      await relay.stop();
    }
  });
});
