import { randomUUID } from 'node:crypto';
import { userRegisteredV1, type EventEnvelope } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import type { Tx } from '@platform/db-kit';
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '@platform/metrics';
import { createConsumer, inboxTable, toMsgHdrs, type ConsumerOptions, type HandlerContext } from '../src/index.js';
import { readDeadLetters, readStreamMessages, waitFor, waitForConsumersIdle } from '../src/testing/index.js';
import { messagingOptions, useConsumerFixture } from './consumer-fixture.js';
import { widgets } from './schema.js';

type UserRegistered = EventEnvelope<typeof userRegisteredV1>;
const fx = useConsumerFixture('sendcommit');

/** The handler's effect: a widget per user, `applied` counting how many times it was applied. */
const applyWidget = (event: UserRegistered, tx: Tx) =>
  tx
    .insert(widgets)
    .values({ id: event.data.userId, name: event.data.fullName, applied: 1 })
    .onConflictDoUpdate({ target: widgets.id, set: { applied: sql`${widgets.applied} + 1` } });

/** Published under its own message id: a second call is a redelivery the broker does not drop. */
const publish = (event: UserRegistered) =>
  fx.m.js.publish(fx.m.subject(event.type), JSON.stringify(event), { msgID: randomUUID(), headers: toMsgHdrs({ 'x-correlation-id': event.correlationId }) });

const widgetsOf = (events: UserRegistered[]) => fx.tdb.db.select().from(widgets).where(inArray(widgets.id, events.map((e) => e.data.userId)));
const inboxOf = async (name: string) => (await fx.tdb.db.select().from(inboxTable).where(eq(inboxTable.consumer, name))).map((r) => r.eventId).sort();

function start(name: string, handler: ConsumerOptions<typeof userRegisteredV1>['handler'], extra: Partial<ConsumerOptions<typeof userRegisteredV1>> = {}) {
  const consumer = createConsumer({
    name,
    stream: 'users',
    contracts: [userRegisteredV1],
    handler,
    db: fx.tdb.db,
    ...messagingOptions(fx),
    maxAttempts: 3,
    backoffMs: [20, 40],
    ackWaitMs: 2_000,
    ...extra,
  });
  fx.running.push(consumer);
  return consumer.start();
}

const deadLetterOf = (name: string) =>
  waitFor(async () => (await readDeadLetters(fx.m.jsm, fx.m.namespace)).find((l) => l.headers['x-dlq-consumer'] === name));

describe('ctx.sendWithCommit: the handler\'s last statement goes with the COMMIT', () => {
  it('commits the effect with the inbox mark, and a redelivery is a no-op', async () => {
    let calls = 0;
    await start('swc-ok', async (event, tx, ctx) => {
      calls += 1;
      ctx.sendWithCommit(applyWidget(event, tx));
    });
    const event = sampleEvent('users.user.registered.v1');
    await publish(event);
    await waitFor(async () => (await inboxOf('swc-ok')).length === 1);
    // The inbox row is visible only with the effect: one commit for both.
    expect(await widgetsOf([event])).toEqual([{ id: event.data.userId, name: event.data.fullName, applied: 1 }]);

    await publish(event);
    await waitForConsumersIdle(fx.m.jsm, [fx.m.streamName('USERS')], { consumers: ['swc-ok'] });
    expect(calls).toBe(1);
    expect((await widgetsOf([event]))[0]?.applied).toBe(1);
    expect(await inboxOf('swc-ok')).toEqual([event.id]);
  });

  it('blames a failing final statement on its event: retried, dead-lettered, nothing of it committed', async () => {
    const calls: number[] = [];
    await start('swc-fail', async (event, tx, ctx) => {
      calls.push(ctx.deliveryCount);
      await applyWidget(event, tx); // an earlier effect, rolled back with the rest
      ctx.sendWithCommit(tx.execute(sql`select 1 / 0`));
    });
    const event = sampleEvent('users.user.registered.v1');
    await publish(event);
    const letter = await deadLetterOf('swc-fail');
    expect(letter.headers['x-dlq-reason']).toMatch(/^handler failed after 3 attempts: Failed query: select 1 \/ 0/);
    expect(calls).toEqual([1, 2, 3]);
    expect(await widgetsOf([event])).toEqual([]);
    expect(await inboxOf('swc-fail')).toEqual([]);
  });

  it('blames a value that cannot be sent on its event, before anything is committed', async () => {
    await start('swc-value', async (event, tx, ctx) => {
      await applyWidget(event, tx);
      // drizzle maps the value as the statement starts: the invalid Date throws inside the handler.
      ctx.sendWithCommit(tx.update(inboxTable).set({ processedAt: new Date(Number.NaN) }).where(eq(inboxTable.eventId, event.id)));
    });
    const event = sampleEvent('users.user.registered.v1');
    await publish(event);
    await deadLetterOf('swc-value');
    expect(await widgetsOf([event])).toEqual([]);
    expect(await inboxOf('swc-value')).toEqual([]);
  });

  it.each([
    ['in stream order', undefined],
    ['with a concurrency key', (event: UserRegistered) => event.data.userId],
  ])('in a batch (%s) blames only the failing event; the others commit once', async (_label, concurrencyKey) => {
    const name = `swc-batch-${concurrencyKey ? 'keyed' : 'ordered'}`;
    const events = Array.from({ length: 12 }, () => sampleEvent('users.user.registered.v1'));
    const poisoned = events[5] as UserRegistered;
    // Published before the consumer starts, so they arrive together and are taken in batches.
    for (const event of events) await publish(event);
    let poisonCalls = 0;
    await start(
      name,
      async (event, tx, ctx) => {
        if (event.id !== poisoned.id) return ctx.sendWithCommit(applyWidget(event, tx));
        poisonCalls += 1;
        // Sent with the COMMIT, behind the other handlers' statements: they come back refused (25P02), unblamed.
        ctx.sendWithCommit(tx.execute(sql`select 1 / 0`));
      },
      { concurrencyKey },
    );
    await deadLetterOf(name);
    await waitForConsumersIdle(fx.m.jsm, [fx.m.streamName('USERS')], { consumers: [name] });
    expect(poisonCalls).toBe(3);
    const healthy = events.filter((e) => e !== poisoned);
    expect((await widgetsOf(healthy)).map((w) => w.applied)).toEqual(Array(healthy.length).fill(1));
    expect(await widgetsOf([poisoned])).toEqual([]);
    expect(await inboxOf(name)).toEqual(healthy.map((e) => e.id).sort());
  });

  it('refuses a second final statement (the first was the last one)', async () => {
    await start('swc-twice', async (event, tx, ctx) => {
      ctx.sendWithCommit(applyWidget(event, tx));
      ctx.sendWithCommit(applyWidget(event, tx));
    });
    const event = sampleEvent('users.user.registered.v1');
    await publish(event);
    const letter = await deadLetterOf('swc-twice');
    expect(letter.headers['x-dlq-reason']).toMatch(/only once, and before the handler returns/);
    expect(await widgetsOf([event])).toEqual([]);
  });

  it('gives every handler its delivery\'s context, alone and in a keyed batch, with a sendWithCommit of its own', async () => {
    const metrics = createMetrics({ service: 'sendcommit-ctx', defaultMetrics: false });
    const seen: Array<{ eventId: string; subject: string; streamSequence: number; deliveryCount: number; metrics: unknown; logs: boolean; keys: string[] }> = [];
    const sends: Array<HandlerContext['sendWithCommit']> = [];
    await start(
      'swc-ctx',
      async (event, tx, ctx) => {
        seen.push({
          eventId: event.id,
          subject: ctx.subject,
          streamSequence: ctx.streamSequence,
          deliveryCount: ctx.deliveryCount,
          metrics: ctx.metrics,
          logs: typeof ctx.logger.debug === 'function',
          keys: Object.keys(ctx).sort(),
        });
        sends.push(ctx.sendWithCommit);
        ctx.sendWithCommit(applyWidget(event, tx));
      },
      { metrics, concurrencyKey: (event) => event.data.userId, batchSize: 32 },
    );
    // One user twice (a chain of two in one batch when they arrive together) and two others.
    const first = sampleEvent('users.user.registered.v1');
    const events = [first, sampleEvent('users.user.registered.v1', { userId: first.data.userId }), sampleEvent('users.user.registered.v1'), sampleEvent('users.user.registered.v1')];
    const acks = await Promise.all(events.map(publish));
    await waitFor(async () => (await inboxOf('swc-ctx')).length === events.length);

    const stored = await readStreamMessages(fx.m.jsm, fx.m.streamName('USERS'));
    expect(seen.map((s) => s.eventId).sort()).toEqual(events.map((e) => e.id).sort());
    for (const [i, event] of events.entries()) {
      const ctx = seen.find((s) => s.eventId === event.id);
      expect(ctx).toEqual({
        eventId: event.id,
        subject: fx.m.subject(event.type),
        streamSequence: acks[i]?.seq,
        deliveryCount: 1,
        metrics,
        logs: true,
        keys: ['deliveryCount', 'logger', 'metrics', 'sendWithCommit', 'streamSequence', 'subject'],
      });
      expect(stored.find((m) => m.seq === ctx?.streamSequence)?.data).toBe(JSON.stringify(event));
    }
    // Each run had its own, and each is spent once the handler returned.
    expect(new Set(sends).size).toBe(events.length);
    for (const send of sends) expect(() => send(applyWidget(first, fx.tdb.db as unknown as Tx))).toThrow(/only once/);
    expect((await widgetsOf([first]))[0]?.applied).toBe(2);
  });
});
