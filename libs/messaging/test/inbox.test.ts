import { randomUUID } from 'node:crypto';
import { userDeactivatedV1, userRegisteredV1, type EventEnvelope } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import type { Tx } from '@platform/db-kit';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  createConsumer,
  createOutboxRelay,
  enqueueEvent,
  inboxTable,
  toMsgHdrs,
  type ConsumerOptions,
  type EventConsumer,
} from '../src/index.js';
import { readDeadLetters, waitFor, waitForConsumersIdle } from '../src/testing/index.js';
import { useConsumerFixture } from './consumer-fixture.js';
import { widgets } from './schema.js';

const fx = useConsumerFixture('inbox');

/** The effect: one widget per user, `applied` counts how many times the effect ran. */
async function applyWidget(event: EventEnvelope<typeof userRegisteredV1>, tx: Tx) {
  await tx
    .insert(widgets)
    .values({ id: event.data.userId, name: event.data.fullName, applied: 1 })
    .onConflictDoUpdate({ target: widgets.id, set: { applied: sql`${widgets.applied} + 1` } });
}

async function startConsumer(
  overrides: Partial<ConsumerOptions<typeof userRegisteredV1>> & { name: string },
): Promise<EventConsumer> {
  const consumer = createConsumer({
    stream: 'users',
    contracts: [userRegisteredV1],
    handler: async (event, tx) => applyWidget(event, tx),
    db: fx.tdb.db,
    js: fx.m.js,
    jsm: fx.m.jsm,
    logger: fx.m.logger,
    namespace: fx.m.namespace,
    maxAttempts: 3,
    backoffMs: [20, 40],
    ackWaitMs: 2_000,
    ...overrides,
  });
  await consumer.start();
  fx.running.push(consumer);
  return consumer;
}

async function publishRaw(payload: string | Uint8Array, msgID = randomUUID(), correlationId = 'corr-raw') {
  return fx.m.js.publish(fx.m.subject(userRegisteredV1.type), payload, {
    msgID,
    headers: toMsgHdrs({ 'x-correlation-id': correlationId }),
  });
}

const widget = async (id: string) => (await fx.tdb.db.select().from(widgets).where(eq(widgets.id, id)))[0];

async function waitForAckFloor(name: string, seq: number) {
  await waitFor(async () => {
    const info = await fx.m.jsm.consumers.info(fx.m.streamName('USERS'), name);
    return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0 && info.num_pending === 0;
  });
}

describe('inbox consumer', () => {
  it('stops when stopped right after it started (before its pull session was open)', async () => {
    const consumer = await startConsumer({ name: 'stop-at-once' });
    const stopped = await Promise.race([consumer.stop().then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);
    expect(stopped).toBe(true);
  });

  it('applies an event delivered twice only once', async () => {
    let calls = 0;
    await startConsumer({
      name: 'dup-test',
      handler: async (event, tx) => {
        calls += 1;
        await applyWidget(event, tx);
      },
    });
    const event = sampleEvent('users.user.registered.v1');
    // Two different Nats-Msg-Ids defeat JetStream dedup: the stream really holds two copies.
    await publishRaw(JSON.stringify(event));
    const second = await publishRaw(JSON.stringify(event));
    expect(second.duplicate).toBe(false);
    await waitForAckFloor('dup-test', second.seq);

    expect((await widget(event.data.userId))?.applied).toBe(1);
    expect(calls).toBe(1);
    const inbox = await fx.tdb.db.select().from(inboxTable).where(eq(inboxTable.eventId, event.id));
    expect(inbox).toEqual([expect.objectContaining({ consumer: 'dup-test', eventId: event.id })]);
  });

  it('dead-letters invalid payloads with a reason and keeps processing', async () => {
    let calls = 0;
    await startConsumer({
      name: 'invalid-test',
      handler: async (event, tx) => {
        calls += 1;
        await applyWidget(event, tx);
      },
    });
    const badData = { ...sampleEvent('users.user.registered.v1'), data: { userId: 'nope' } };
    await publishRaw('{not json', undefined, 'corr-garbage');
    await publishRaw(JSON.stringify(badData));
    const good = sampleEvent('users.user.registered.v1');
    const last = await publishRaw(JSON.stringify(good));

    await waitFor(async () => (await widget(good.data.userId))?.applied === 1);
    await waitForAckFloor('invalid-test', last.seq);
    expect(calls).toBe(1);

    const letters = (await readDeadLetters(fx.m.jsm, fx.m.namespace)).filter(
      (l) => l.headers['x-dlq-consumer'] === 'invalid-test',
    );
    expect(letters).toHaveLength(2);
    expect(letters[0]).toMatchObject({
      subject: fx.m.subject('dlq.invalid-test.users.user.registered.v1'),
      data: '{not json',
    });
    expect(letters[0]?.headers['x-dlq-reason']).toMatch(/malformed JSON/);
    expect(letters[0]?.headers['x-correlation-id']).toBe('corr-garbage');
    expect(letters[0]?.headers['x-dlq-original-subject']).toBe(fx.m.subject(userRegisteredV1.type));
    expect(letters[1]?.headers['x-dlq-reason']).toMatch(/invalid data: data\.userId/);
    expect(letters.every((l) => l.headers['x-dlq-delivery-count'] === '1')).toBe(true);
  });

  it('dead-letters a message whose handler keeps failing after maxAttempts, with the reason', async () => {
    const poisoned = sampleEvent('users.user.registered.v1');
    let poisonCalls = 0;
    await startConsumer({
      name: 'failing-test',
      handler: async (event, tx) => {
        if (event.id === poisoned.id) {
          poisonCalls += 1;
          await applyWidget(event, tx); // rolled back with the throw below
          throw new Error('downstream exploded');
        }
        await applyWidget(event, tx);
      },
    });
    const started = Date.now();
    await publishRaw(JSON.stringify(poisoned));
    const healthy = sampleEvent('users.user.registered.v1');
    await publishRaw(JSON.stringify(healthy));

    const letter = await waitFor(async () =>
      (await readDeadLetters(fx.m.jsm, fx.m.namespace)).find((l) => l.headers['x-dlq-consumer'] === 'failing-test'),
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(letter.headers['x-dlq-reason']).toBe('handler failed after 3 attempts: downstream exploded');
    expect(letter.headers['x-dlq-delivery-count']).toBe('3');
    expect(JSON.parse(letter.data)).toEqual(poisoned);
    expect(poisonCalls).toBe(3);
    expect(await widget(poisoned.data.userId)).toBeUndefined();
    const inbox = await fx.tdb.db.select().from(inboxTable).where(eq(inboxTable.eventId, poisoned.id));
    expect(inbox).toHaveLength(0);
    await waitFor(async () => (await widget(healthy.data.userId))?.applied === 1);

    // Not retried any further once dead-lettered: acked, nothing left pending or awaiting a redelivery.
    await waitForConsumersIdle(fx.m.jsm, [fx.m.streamName('USERS')], { consumers: ['failing-test'] });
    expect(poisonCalls).toBe(3);
  });

  it('replicas sharing one durable consumer handle each event once (outbox to inbox, end to end)', async () => {
    const seen: string[] = [];
    const handler: ConsumerOptions<typeof userRegisteredV1 | typeof userDeactivatedV1>['handler'] = async (event, tx) => {
      seen.push(event.id);
      if (event.type === 'users.user.registered.v1') await applyWidget(event, tx);
    };
    const common = { name: 'replicas-test', contracts: [userRegisteredV1, userDeactivatedV1], handler, maxMessages: 4 };
    await Promise.all([startConsumer(common as never), startConsumer(common as never)]);

    const relay = createOutboxRelay({ db: fx.tdb.db, sql: fx.tdb.sql, js: fx.m.js, logger: fx.m.logger, namespace: fx.m.namespace });
    await relay.start();
    const ids = await fx.tdb.db.transaction(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 20; i++) {
        const e = await enqueueEvent(tx, userRegisteredV1, sampleEvent('users.user.registered.v1').data, {
          correlationId: `replica-${i}`,
        });
        out.push(e.id);
      }
      out.push((await enqueueEvent(tx, userDeactivatedV1, { userId: randomUUID() }, { correlationId: 'deact' })).id);
      return out;
    });
    await waitFor(() => ids.every((id) => seen.includes(id)));
    await relay.stop();
    // Both replicas are done with everything (a second handling would have come before this).
    await waitForConsumersIdle(fx.m.jsm, [fx.m.streamName('USERS')], { consumers: ['replicas-test'] });
    expect(seen.filter((id) => ids.includes(id))).toHaveLength(ids.length);
    const inbox = await fx.tdb.db.select().from(inboxTable).where(eq(inboxTable.consumer, 'replicas-test'));
    expect(inbox).toHaveLength(21);
  });

  it('stop() finishes the message in flight before resolving', async () => {
    let finished = false;
    let begun = false;
    const consumer = await startConsumer({
      name: 'drain-test',
      handler: async (event, tx) => {
        begun = true;
        await new Promise((r) => setTimeout(r, 200));
        await applyWidget(event, tx);
        finished = true;
      },
    });
    const event = sampleEvent('users.user.registered.v1');
    await publishRaw(JSON.stringify(event));
    await waitFor(() => begun);
    await consumer.stop();
    expect(finished).toBe(true);
    expect((await widget(event.data.userId))?.applied).toBeGreaterThanOrEqual(1);
  });
});
