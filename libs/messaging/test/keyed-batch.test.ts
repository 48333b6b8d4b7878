import { randomUUID } from 'node:crypto';
import { userRegisteredV1, type EventEnvelope } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import type { Tx } from '@platform/db-kit';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createConsumer, inboxTable, toMsgHdrs } from '../src/index.js';
import { readDeadLetters, waitFor, waitForConsumersIdle } from '../src/testing/index.js';
import { messagingOptions, useConsumerFixture } from './consumer-fixture.js';
import { widgets } from './schema.js';

const fx = useConsumerFixture('keyed');

/** Appends the event's name to its user's widget: the committed text shows the order applied. */
async function appendName(event: EventEnvelope<typeof userRegisteredV1>, tx: Tx) {
  await tx
    .insert(widgets)
    .values({ id: event.data.userId, name: event.data.fullName, applied: 1 })
    .onConflictDoUpdate({ target: widgets.id, set: { name: sql`${widgets.name} || ',' || excluded.name`, applied: sql`${widgets.applied} + 1` } });
}

describe('inbox consumer with a concurrency key', () => {
  it('pipelines different keys, keeps each key in stream order, and blames only the failing event', async () => {
    const users = Array.from({ length: 4 }, () => randomUUID());
    // Four users, five events each, interleaved in the stream; one poisoned event of a fifth user.
    const events = Array.from({ length: 5 }, (_, round) =>
      users.map((userId) => sampleEvent('users.user.registered.v1', { userId, fullName: `n${round}` })),
    ).flat();
    const poisoned = sampleEvent('users.user.registered.v1');
    events.splice(7, 0, poisoned);
    // Published before the consumer starts, so they arrive together and are taken in batches.
    for (const event of events) {
      await fx.m.js.publish(fx.m.subject(userRegisteredV1.type), JSON.stringify(event), {
        msgID: event.id,
        headers: toMsgHdrs({ 'x-correlation-id': event.correlationId }),
      });
    }
    let inFlight = 0;
    let mostInFlight = 0;
    let poisonCalls = 0;
    const consumer = createConsumer({
      name: 'keyed-test',
      stream: 'users',
      contracts: [userRegisteredV1],
      concurrencyKey: (event) => event.data.userId,
      handler: async (event, tx) => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        try {
          if (event.id === poisoned.id) {
            poisonCalls += 1;
            // A statement the database refuses: the batch's transaction aborts, and the statements
            // of the other keys' handlers in flight come back refused (25P02) without being blamed.
            await tx.execute(sql`select 1 / 0`);
          }
          await appendName(event, tx);
        } finally {
          inFlight -= 1;
        }
      },
      db: fx.tdb.db,
      ...messagingOptions(fx),
      maxAttempts: 3,
      backoffMs: [20, 40],
      ackWaitMs: 2_000,
    });
    await consumer.start();
    fx.running.push(consumer);

    const letter = await waitFor(async () =>
      (await readDeadLetters(fx.m.jsm, fx.m.namespace)).find((l) => l.headers['x-dlq-consumer'] === 'keyed-test'),
    );
    expect(letter.headers['x-dlq-reason']).toMatch(/^handler failed after 3 attempts: /);
    await waitForConsumersIdle(fx.m.jsm, [fx.m.streamName('USERS')], { consumers: ['keyed-test'] });
    expect(poisonCalls).toBe(3);
    expect(mostInFlight).toBeGreaterThan(1);
    for (const userId of users) {
      const [row] = await fx.tdb.db.select().from(widgets).where(eq(widgets.id, userId));
      expect(row).toEqual({ id: userId, name: 'n0,n1,n2,n3,n4', applied: 5 });
    }
    expect(await fx.tdb.db.select().from(widgets).where(eq(widgets.id, poisoned.data.userId))).toHaveLength(0);
    const inbox = await fx.tdb.db.select().from(inboxTable).where(eq(inboxTable.consumer, 'keyed-test'));
    expect(inbox.map((r) => r.eventId).sort()).toEqual(events.filter((e) => e !== poisoned).map((e) => e.id).sort());
  });
});
