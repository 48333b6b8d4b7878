import { randomUUID } from 'node:crypto';
import { parseEvent, userRegisteredV1, type EventEnvelope } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { createDependencyMonitor } from '@platform/resilience';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createBatchConsumer, type BatchConsumer, type BatchConsumerOptions } from '../src/index.js';
import { readDeadLetters, waitFor, waitForConsumersIdle } from '../src/testing/index.js';
import { useConsumerFixture } from './consumer-fixture.js';
import { widgets } from './schema.js';

type UserRegistered = EventEnvelope<typeof userRegisteredV1>;
const fx = useConsumerFixture('batch');

/** An idempotent store: one widget per user, a repeated event id inserts nothing. */
async function storeWidgets(events: UserRegistered[]) {
  await fx.tdb.db.transaction(async (tx) => {
    await tx
      .insert(widgets)
      .values(events.map((e) => ({ id: e.data.userId, name: e.data.fullName, applied: 1 })))
      .onConflictDoNothing();
  });
}

async function startBatchConsumer(
  overrides: Partial<BatchConsumerOptions<UserRegistered>> & { name: string },
): Promise<BatchConsumer> {
  const consumer = createBatchConsumer<UserRegistered>({
    stream: 'users',
    js: fx.m.js,
    jsm: fx.m.jsm,
    logger: fx.m.logger,
    namespace: fx.m.namespace,
    batchSize: 10,
    maxAttempts: 3,
    backoffMs: [20, 40],
    ackWaitMs: 2_000,
    decode: (msg) => {
      const parsed = parseEvent(userRegisteredV1, msg.data);
      return parsed.success ? { ok: true, value: parsed.event } : { ok: false, reason: parsed.reason };
    },
    store: storeWidgets,
    availability: createDependencyMonitor({ name: 'postgres', probe: () => fx.tdb.sql`select 1` }),
    ...overrides,
  });
  await consumer.start();
  fx.running.push(consumer);
  return consumer;
}

const publishRaw = (payload: string) => fx.m.js.publish(fx.m.subject(userRegisteredV1.type), payload, { msgID: randomUUID() });

async function waitForAckFloor(name: string, seq: number) {
  await waitFor(
    async () => {
      const info = await fx.m.jsm.consumers.info(fx.m.streamName('USERS'), name);
      return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0 && info.num_pending === 0;
    },
    { timeoutMs: 10_000 },
  );
}

const widgetsOf = (events: UserRegistered[]) =>
  fx.tdb.db.select().from(widgets).where(inArray(widgets.id, events.map((e) => e.data.userId)));

describe('batch consumer', () => {
  it('stores a backlog in batches of at most batchSize, in stream order', async () => {
    const events = Array.from({ length: 25 }, () => sampleEvent('users.user.registered.v1'));
    let last = 0;
    for (const e of events) last = (await publishRaw(JSON.stringify(e))).seq;

    const batches: string[][] = [];
    await startBatchConsumer({
      name: 'backlog-test',
      store: async (values) => {
        batches.push(values.map((v) => v.id));
        // The first commit is slow, so the rest of the backlog piles up into full batches meanwhile.
        if (batches.length === 1) await new Promise((r) => setTimeout(r, 200));
        await storeWidgets(values);
      },
    });
    await waitForAckFloor('backlog-test', last);

    expect(await widgetsOf(events)).toHaveLength(25);
    expect(batches.flat()).toEqual(events.map((e) => e.id));
    expect(Math.max(...batches.map((b) => b.length))).toBe(10);
    expect(batches.length).toBeLessThan(events.length);
  });

  it('a redelivered message is harmless when the store is idempotent', async () => {
    const stored: string[] = [];
    await startBatchConsumer({
      name: 'dup-test',
      store: async (values) => {
        stored.push(...values.map((v) => v.id));
        await storeWidgets(values);
      },
    });
    const event = sampleEvent('users.user.registered.v1');
    // Two different Nats-Msg-Ids defeat JetStream dedup: the stream really holds two copies.
    await publishRaw(JSON.stringify(event));
    const second = await publishRaw(JSON.stringify(event));
    expect(second.duplicate).toBe(false);
    await waitForAckFloor('dup-test', second.seq);

    expect(stored).toEqual([event.id, event.id]);
    expect(await widgetsOf([event])).toEqual([expect.objectContaining({ id: event.data.userId, applied: 1 })]);
    expect(await readDeadLetters(fx.m.jsm, fx.m.namespace)).toHaveLength(0);
  });

  it('dead-letters an undecodable message at once without blocking the rest', async () => {
    const before = sampleEvent('users.user.registered.v1');
    const after = sampleEvent('users.user.registered.v1');
    await publishRaw(JSON.stringify(before));
    await publishRaw('{not json');
    const last = await publishRaw(JSON.stringify(after));
    await startBatchConsumer({ name: 'undecodable-test' });
    await waitForAckFloor('undecodable-test', last.seq);

    expect(await widgetsOf([before, after])).toHaveLength(2);
    const letters = await readDeadLetters(fx.m.jsm, fx.m.namespace);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ subject: fx.m.subject('dlq.undecodable-test.users.user.registered.v1'), data: '{not json' });
    expect(letters[0]?.headers['x-dlq-reason']).toMatch(/malformed JSON/);
    expect(letters[0]?.headers['x-dlq-delivery-count']).toBe('1');
  });

  it('dead-letters a message whose store keeps failing after maxAttempts; the rest of its batch is stored', async () => {
    const poisoned = sampleEvent('users.user.registered.v1');
    const healthy = sampleEvent('users.user.registered.v1');
    let poisonAttempts = 0;
    await publishRaw(JSON.stringify(poisoned));
    const last = await publishRaw(JSON.stringify(healthy));
    await startBatchConsumer({
      name: 'failing-test',
      store: async (values) => {
        if (values.some((v) => v.id === poisoned.id)) {
          if (values.length === 1) poisonAttempts += 1;
          throw new Error('downstream exploded');
        }
        await storeWidgets(values);
      },
    });

    const letter = await waitFor(async () => (await readDeadLetters(fx.m.jsm, fx.m.namespace))[0], { timeoutMs: 10_000 });
    expect(letter.headers['x-dlq-reason']).toBe('store failed after 3 attempts: downstream exploded');
    expect(letter.headers['x-dlq-consumer']).toBe('failing-test');
    expect(letter.headers['x-dlq-delivery-count']).toBe('3');
    expect(JSON.parse(letter.data)).toEqual(poisoned);
    await waitForAckFloor('failing-test', last.seq);
    expect(poisonAttempts).toBe(3);
    expect(await widgetsOf([poisoned])).toHaveLength(0);
    expect((await fx.tdb.db.select().from(widgets).where(eq(widgets.id, healthy.data.userId)))[0]?.applied).toBe(1);

    // Not retried any further once dead-lettered: acked, nothing left pending or awaiting a redelivery.
    await waitForConsumersIdle(fx.m.jsm, [fx.m.streamName('USERS')], { consumers: ['failing-test'] });
    expect(poisonAttempts).toBe(3);
    expect(await readDeadLetters(fx.m.jsm, fx.m.namespace)).toHaveLength(1);
  });
});
