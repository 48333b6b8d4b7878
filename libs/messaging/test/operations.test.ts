import { randomUUID } from 'node:crypto';
import { AckPolicy } from '@nats-io/jetstream';
import { userRegisteredV1, userUpdatedV1, type EventEnvelope } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import type { Tx } from '@platform/db-kit';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  consumerStatus,
  createConsumer,
  createOutboxRelay,
  DeadLetterNotFoundError,
  DeadLetterSelectionError,
  enqueueEvent,
  listDeadLetters,
  outboxStatus,
  purgeDeadLetters,
  recentEvents,
  redriveDeadLetters,
  showDeadLetter,
  toMsgHdrs,
  type DeadLetterSummary,
} from '../src/index.js';
import { readStreamMessages, waitFor, waitForConsumersIdle } from '../src/testing/index.js';
import { messagingOptions, useConsumerFixture } from './consumer-fixture.js';
import { widgets } from './schema.js';

const fx = useConsumerFixture('operations');

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

/** The effect of the consumer under test: `applied` counts how often it ran for one user. */
async function applyWidget(event: EventEnvelope<typeof userRegisteredV1>, tx: Tx, offset = 0) {
  await tx
    .insert(widgets)
    .values({ id: event.data.userId, name: event.data.fullName, applied: 1 + offset })
    .onConflictDoUpdate({ target: widgets.id, set: { applied: sql`${widgets.applied} + 1` } });
}

const applied = async (id: string) => (await fx.tdb.db.select().from(widgets).where(eq(widgets.id, id)))[0]?.applied ?? 0;

/**
 * Two services consume the same subject: `billing-widgets` (the one with the bug until `fixed`)
 * and `notifications-widgets` (always fine; its effect is recorded as applied + 1000 so the two
 * are told apart in one table).
 */
async function startPair(state: { fixed: boolean }) {
  const base = {
    stream: 'users' as const,
    contracts: [userRegisteredV1],
    db: fx.tdb.db,
    ...messagingOptions(fx),
    maxAttempts: 2,
    backoffMs: [20],
    ackWaitMs: 2_000,
  };
  const buggy = createConsumer({
    ...base,
    name: 'billing-widgets',
    handler: async (event, tx) => {
      if (!state.fixed) throw new Error('TypeError: cannot read properties of undefined (reading "plan")');
      await applyWidget(event, tx);
    },
  });
  const healthy = createConsumer({
    ...base,
    name: 'notifications-widgets',
    handler: async (event, tx) => {
      await tx.insert(widgets).values({ id: randomUUID(), name: `seen ${event.id}`, applied: 1 });
    },
  });
  await buggy.start();
  await healthy.start();
  fx.running.push(buggy, healthy);
}

const seenBy = async (eventId: string) =>
  (await fx.tdb.db.select().from(widgets).where(eq(widgets.name, `seen ${eventId}`))).length;

async function waitForDeadLetters(count: number): Promise<DeadLetterSummary[]> {
  return waitFor(async () => {
    const list = await listDeadLetters(fx.m.js, { namespace: fx.m.namespace });
    return list.length >= count ? list : undefined;
  });
}

function publishEvent(event: EventEnvelope, msgID: string | null = event.id) {
  // Indented: a redrive that re-encoded the body instead of republishing its bytes would show.
  return fx.m.js.publish(fx.m.subject(event.type), JSON.stringify(event, null, 1), {
    ...(msgID ? { msgID } : {}),
    headers: toMsgHdrs({ 'x-correlation-id': event.correlationId, 'x-event-type': event.type }),
  });
}

describe('dead letters: bug, fix, redrive', () => {
  it('redrives a fresh dead letter (inside the duplicate window) once: the effect happens once, other services do nothing', async () => {
    const state = { fixed: false };
    await startPair(state);
    const event = sampleEvent('users.user.registered.v1');
    await publishEvent(event);

    const [letter] = await waitForDeadLetters(1);
    expect(letter).toMatchObject({
      subject: `dlq.billing-widgets.${userRegisteredV1.type}`,
      originalSubject: userRegisteredV1.type,
      service: 'billing',
      consumer: 'billing-widgets',
      eventId: event.id,
      eventType: userRegisteredV1.type,
      attempts: 2,
    });
    expect(letter?.reason).toMatch(/^handler failed after 2 attempts: TypeError/);
    const detail = await showDeadLetter(fx.m.js, must(letter).id, { namespace: fx.m.namespace });
    expect(detail.payload).toEqual(event);
    expect(detail.headers['x-dlq-original-msg-id']).toBe(event.id);
    expect(detail.headers['x-correlation-id']).toBe(event.correlationId);
    await waitFor(async () => (await seenBy(event.id)) === 1);
    expect(await applied(event.data.userId)).toBe(0);

    state.fixed = true; // the handler is fixed (deployed)
    const result = await redriveDeadLetters(fx.m.js, { ids: [must(letter).id], namespace: fx.m.namespace });
    expect(result).toEqual({ redriven: 1, skipped: [] });

    await waitFor(async () => (await applied(event.data.userId)) === 1);
    await waitForConsumersIdle(fx.m.jsm, [fx.m.streamName('USERS')]);
    expect(await applied(event.data.userId)).toBe(1);
    expect(await seenBy(event.id)).toBe(1); // the healthy service saw it again and did nothing
    expect(await listDeadLetters(fx.m.js, { namespace: fx.m.namespace })).toEqual([]);
    // The original id was still remembered (duplicate window): it went out under a derived id.
    const stored = await readStreamMessages(fx.m.jsm, fx.m.streamName('USERS'));
    expect(stored.map((m) => m.headers['Nats-Msg-Id'])).toEqual([event.id, `${event.id}:redrive:${must(letter).id}`]);
    expect(stored[1]?.headers['x-redriven-from']).toBe(`DEAD_LETTERS:${must(letter).id}`);
    expect(must(stored[1]).data).toBe(must(stored[0]).data); // the stored bytes, not a re-encoding

    // Redriving again: the dead letter is gone, nothing is published.
    expect(await redriveDeadLetters(fx.m.js, { ids: [must(letter).id], namespace: fx.m.namespace })).toEqual({
      redriven: 0,
      skipped: [{ id: must(letter).id, reason: 'no such dead letter' }],
    });
  });

  it('redrives with the original Nats-Msg-Id when the stream no longer remembers it', async () => {
    const state = { fixed: false };
    await startPair(state);
    const event = sampleEvent('users.user.registered.v1');
    await publishEvent(event, null); // no Nats-Msg-Id recorded: the event id is what redrive uses
    const [letter] = await waitForDeadLetters(1);
    state.fixed = true;
    expect(await redriveDeadLetters(fx.m.js, { all: true, subject: 'users.>', namespace: fx.m.namespace })).toEqual({
      redriven: 1,
      skipped: [],
    });
    await waitFor(async () => (await applied(event.data.userId)) === 1);
    await waitForConsumersIdle(fx.m.jsm, [fx.m.streamName('USERS')]);
    expect(await applied(event.data.userId)).toBe(1);
    const stored = await readStreamMessages(fx.m.jsm, fx.m.streamName('USERS'));
    expect(stored).toHaveLength(2);
    expect(stored[1]?.headers['Nats-Msg-Id']).toBe(event.id);
    expect(letter?.id).toBeTruthy();
  });
});

describe('dead letters: list, show, purge', () => {
  async function deadLetterThree() {
    await startPair({ fixed: false });
    const a = sampleEvent('users.user.registered.v1');
    const b = sampleEvent('users.user.registered.v1');
    await publishEvent(a);
    await publishEvent(b);
    // A body that is no envelope at all, dead-lettered at once by the healthy consumer too.
    await fx.m.js.publish(fx.m.subject(userRegisteredV1.type), 'not json', { msgID: randomUUID() });
    return { a, b, letters: await waitForDeadLetters(4) };
  }

  it('filters by service, subject and time, shows one, refuses unknown ids', async () => {
    const before = new Date(Date.now() - 1_000);
    const { letters } = await deadLetterThree();
    expect(letters.map((l) => Number(l.id))).toEqual([...letters.map((l) => l.seq)].sort((x, y) => x - y));
    const billing = await listDeadLetters(fx.m.js, { namespace: fx.m.namespace, service: 'billing' });
    expect(billing.map((l) => l.consumer)).toEqual(['billing-widgets', 'billing-widgets', 'billing-widgets']);
    const invalid = letters.filter((l) => l.eventId === null);
    expect(invalid).toHaveLength(2);
    expect(invalid[0]?.reason).toMatch(/json/i);
    expect(await listDeadLetters(fx.m.js, { namespace: fx.m.namespace, subject: userUpdatedV1.type })).toEqual([]);
    expect(await listDeadLetters(fx.m.js, { namespace: fx.m.namespace, subject: 'users.*.registered.v1' })).toHaveLength(4);
    expect(await listDeadLetters(fx.m.js, { namespace: fx.m.namespace, since: before })).toHaveLength(4);
    expect(await listDeadLetters(fx.m.js, { namespace: fx.m.namespace, since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await listDeadLetters(fx.m.js, { namespace: fx.m.namespace, limit: 2 })).toHaveLength(2);

    const shown = await showDeadLetter(fx.m.js, must(invalid[0]).id, { namespace: fx.m.namespace });
    expect(shown.payload).toBe('not json');
    await expect(showDeadLetter(fx.m.js, '999999', { namespace: fx.m.namespace })).rejects.toThrow(DeadLetterNotFoundError);
    await expect(showDeadLetter(fx.m.js, 'abc', { namespace: fx.m.namespace })).rejects.toThrow(DeadLetterNotFoundError);
    await expect(redriveDeadLetters(fx.m.js, { namespace: fx.m.namespace })).rejects.toThrow(DeadLetterSelectionError);
    await expect(purgeDeadLetters(fx.m.js, { namespace: fx.m.namespace, ids: [] })).rejects.toThrow(DeadLetterSelectionError);
  });

  it('purges by id and by filter, and never republishes', async () => {
    const { letters } = await deadLetterThree();
    const first = must(letters.find((l) => l.service === 'billing'));
    expect(await purgeDeadLetters(fx.m.js, { namespace: fx.m.namespace, ids: [first.id, '999999'] })).toEqual({ purged: 1 });
    expect(await purgeDeadLetters(fx.m.js, { namespace: fx.m.namespace, all: true, service: 'notifications' })).toEqual({ purged: 1 });
    expect((await listDeadLetters(fx.m.js, { namespace: fx.m.namespace })).map((l) => l.service)).toEqual(['billing', 'billing']);
    expect(await purgeDeadLetters(fx.m.js, { namespace: fx.m.namespace, all: true })).toEqual({ purged: 2 });
    expect(await listDeadLetters(fx.m.js, { namespace: fx.m.namespace })).toEqual([]);
    expect(await readStreamMessages(fx.m.jsm, fx.m.streamName('USERS'))).toHaveLength(3);
  });
});

describe('status', () => {
  it('reports consumer lag and pending per durable, and the newest events', async () => {
    // A durable nobody reads: everything published to it is lag.
    await fx.m.jsm.consumers.add(fx.m.streamName('USERS'), {
      durable_name: 'billing-lagging',
      ack_policy: AckPolicy.Explicit,
      filter_subject: fx.m.subject(userRegisteredV1.type),
    });
    const events = [sampleEvent('users.user.registered.v1'), sampleEvent('users.user.registered.v1'), sampleEvent('users.user.registered.v1')];
    for (const event of events) await publishEvent(event);
    expect(await consumerStatus(fx.m.jsm, { namespace: fx.m.namespace })).toEqual([
      { stream: 'USERS', consumer: 'billing-lagging', pending: 3, ackPending: 0, redelivered: 0, lastActiveAt: expect.toSatisfy((v) => v === null || typeof v === 'string') },
    ]);
    const recent = await recentEvents(fx.m.js, { namespace: fx.m.namespace, limit: 2 });
    expect(recent.map((e) => e.eventId)).toEqual([must(events[2]).id, must(events[1]).id]);
    expect(recent[0]).toMatchObject({ subject: userRegisteredV1.type, type: userRegisteredV1.type, correlationId: must(events[2]).correlationId });
    expect(await recentEvents(fx.m.js, { namespace: fx.m.namespace, stream: 'billing' })).toEqual([]);
    expect(await recentEvents(fx.m.js, { namespace: fx.m.namespace, stream: 'USERS', limit: 5 })).toHaveLength(3);
    await expect(recentEvents(fx.m.js, { namespace: fx.m.namespace, stream: 'orders' })).rejects.toThrow(/unknown stream "orders"/);
    expect(await recentEvents(fx.m.js, { namespace: fx.m.namespace, subject: userUpdatedV1.type })).toEqual([]);
  });

  it('reports the outbox backlog, its oldest age and what was published', async () => {
    await fx.tdb.sql`delete from outbox`;
    expect(await outboxStatus(fx.tdb.sql)).toEqual({ backlog: 0, oldestAgeSeconds: 0, published: 0, lastPublishedAt: null });
    await fx.tdb.db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) {
        await enqueueEvent(tx, userRegisteredV1, sampleEvent('users.user.registered.v1').data, { correlationId: 'ops-test' });
      }
    });
    await fx.tdb.sql`update outbox set created_at = now() - interval '90 seconds'`;
    const waiting = await outboxStatus(fx.tdb.sql);
    expect(waiting).toMatchObject({ backlog: 3, published: 0, lastPublishedAt: null });
    expect(waiting.oldestAgeSeconds).toBeGreaterThanOrEqual(90);
    const relay = createOutboxRelay({ db: fx.tdb.db, js: fx.m.js, logger: fx.m.logger, namespace: fx.m.namespace });
    expect(await relay.flush()).toBe(3);
    const done = await outboxStatus(fx.tdb.sql);
    expect(done).toMatchObject({ backlog: 0, oldestAgeSeconds: 0, published: 3 });
    expect(Date.parse(done.lastPublishedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });
});
