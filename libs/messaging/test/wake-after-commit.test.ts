// Every outbox write wakes the relay after its commit (`wakeAfterCommit`), never with a NOTIFY
// inside its transaction, and a transaction that rolls back wakes nothing.
import { randomUUID } from 'node:crypto';
import { userDeactivatedV1, userLoggedInV1, userRegisteredV1 } from '@platform/contracts';
import { sampleEvent, sampleEventData } from '@platform/contracts/testing';
import { withTransaction } from '@platform/db-kit';
import { and, eq, isNotNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createConsumer, createOutboxRelay, enqueueEvent, outboxCommitted, outboxRecord, outboxTable, toMsgHdrs, wakeAfterCommit } from '../src/index.js';
import { countSubjectMessages, listenToOutboxNotifies, waitFor } from '../src/testing/index.js';
import { messagingOptions, useConsumerFixture } from './consumer-fixture.js';
import { widgets } from './schema.js';

const fx = useConsumerFixture('wake_after_commit');
const sample = sampleEventData[userRegisteredV1.type];
const enqueue = (tx: Parameters<typeof enqueueEvent>[0]) => enqueueEvent(tx, userRegisteredV1, sample(), { correlationId: 'corr-wake' });
const published = (type: string) => countSubjectMessages(fx.m.jsm, fx.m.streamName('USERS'), fx.m.subject(type));
const stored = async (id: string) => (await fx.tdb.db.select({ id: outboxTable.id }).from(outboxTable).where(eq(outboxTable.id, id))).length;
const isPublished = async (id: string) => (await fx.tdb.db.$count(outboxTable, and(eq(outboxTable.id, id), isNotNull(outboxTable.publishedAt)))) === 1;

/**
 * Counts wake-ups of the fixture's database. `seen`: how many of `ids()` another connection
 * could read when the last wake came (queried from the wake itself).
 */
function wakes(ids: () => string[] = () => []) {
  const counter = { count: 0, seen: Promise.resolve(0) };
  const stop = wakeAfterCommit(fx.tdb.db, () => {
    counter.count += 1;
    counter.seen = fx.tdb.sql<[{ n: number }]>`select count(*)::int as n from outbox where id = any(${ids()}::uuid[])`.then(([row]) => row.n);
  });
  return Object.assign(counter, { stop });
}

/**
 * A relay that polls every minute and does not LISTEN, started once its first claim is done (it
 * publishes a row committed before the start): whatever it publishes next, within a test's
 * bounded wait, only a wake-up can explain.
 */
async function idleRelay() {
  const relay = createOutboxRelay({ db: fx.tdb.db, js: fx.m.js, logger: fx.m.logger, namespace: fx.m.namespace, publishTimeoutMs: 1_000, pollIntervalMs: 60_000 });
  // An event no test counts or consumes.
  const { event, headers } = outboxRecord(userLoggedInV1, { userId: randomUUID() }, { correlationId: 'corr-first-claim' });
  await fx.tdb.db.insert(outboxTable).values({ id: event.id, subject: event.type, payload: event, headers });
  await relay.start();
  fx.running.push(relay);
  await waitFor(() => isPublished(event.id), { timeoutMs: 5_000 });
  return relay;
}

describe('wakeAfterCommit', () => {
  it('enqueueEvent runs no NOTIFY: not in a transaction, a savepoint, nor alone', async () => {
    const notifies = await listenToOutboxNotifies(fx.tdb.sql);
    try {
      await fx.tdb.db.transaction(async (tx) => {
        await enqueue(tx);
        await tx.transaction(async (savepoint) => void (await enqueue(savepoint)));
      });
      await enqueue(fx.tdb.db);
      const woken = wakes();
      try {
        await withTransaction(fx.tdb.db, async (tx) => void (await enqueue(tx)));
        expect(woken.count).toBe(1);
      } finally {
        woken.stop();
      }
      // The marker's own NOTIFY, committed after all of them, is the first to arrive.
      expect(await notifies.count()).toBe(0);
    } finally {
      await notifies.close();
    }
  });

  it('wakes once per committed transaction, after the commit; never for a rollback or a transaction that wrote no event', async () => {
    const ids: string[] = [];
    const woken = wakes(() => ids);
    try {
      await fx.tdb.db.transaction(async (tx) => {
        ids.push((await enqueue(tx)).id, (await enqueue(tx)).id);
        // A savepoint's event is its transaction's: still one wake, after the outer commit.
        await tx.transaction(async (savepoint) => void ids.push((await enqueue(savepoint)).id));
        expect(woken.count).toBe(0);
      });
      expect(woken.count).toBe(1);
      // Read by another connection from the wake itself: the commit was visible already.
      expect(await woken.seen).toBe(3);

      let rolledBack = '';
      await expect(
        fx.tdb.db.transaction(async (tx) => {
          rolledBack = (await enqueue(tx)).id;
          throw new Error('the change is refused after its event was written');
        }),
      ).rejects.toThrow('refused');
      expect(await stored(rolledBack)).toBe(0);
      await fx.tdb.db.transaction(async (tx) => void (await tx.insert(widgets).values({ id: randomUUID(), name: 'no event' })));
      expect(woken.count).toBe(1);

      // A statement outside a transaction has committed when it returns: it wakes then.
      await enqueue(fx.tdb.db);
      expect(woken.count).toBe(2);
    } finally {
      woken.stop();
    }
    await fx.tdb.db.transaction(async (tx) => void (await enqueue(tx)));
    expect(woken.count).toBe(2);
  });

  it("outboxCommitted: a raw statement's committed outbox row wakes what the database registered, once, and publishes", async () => {
    const relay = await idleRelay();
    const stopRelayWake = wakeAfterCommit(fx.tdb.db, () => relay.wake());
    try {
      const ids: string[] = [];
      const woken = wakes(() => ids);
      try {
        // One statement of the pool outside drizzle, its own transaction (as PATCH /users/me's).
        const { event, headers } = outboxRecord(userRegisteredV1, sample(), { correlationId: 'corr-raw' });
        ids.push(event.id);
        await fx.tdb.sql`insert into outbox (id, subject, payload, headers) values (${event.id}, ${event.type}, ${JSON.stringify(event)}::jsonb, ${JSON.stringify(headers)}::jsonb)`;
        expect(woken.count).toBe(0);
        outboxCommitted(fx.tdb.db);
        expect(woken.count).toBe(1);
        expect(await woken.seen).toBe(1);
        // The relay's wake is one of them: the row goes out long before its minute's poll.
        await waitFor(() => isPublished(event.id), { timeoutMs: 5_000 });
      } finally {
        woken.stop();
      }
      // Once unregistered, nothing is called (and nothing throws).
      const before = woken.count;
      outboxCommitted(fx.tdb.db);
      expect(woken.count).toBe(before);
    } finally {
      stopRelayWake();
      await relay.stop();
    }
  });

  it('a committed event is published on the wake, long before the poll; a rolled-back one wakes nothing', async () => {
    const relay = await idleRelay();
    const woken = wakes();
    const stop = wakeAfterCommit(fx.tdb.db, () => relay.wake());
    try {
      const before = await published(userRegisteredV1.type);
      await expect(
        fx.tdb.db.transaction(async (tx) => {
          await enqueue(tx);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(woken.count).toBe(0);
      const event = await fx.tdb.db.transaction((tx) => enqueue(tx));
      expect(woken.count).toBe(1);
      await waitFor(() => isPublished(event.id), { timeoutMs: 5_000 });
      // Only the committed one reached the stream.
      expect(await published(userRegisteredV1.type)).toBe(before + 1);
    } finally {
      stop();
      woken.stop();
    }
  });

  it("events enqueued in consumers' inbox transactions (one event, a batch) wake the relay after their commit", async () => {
    const relay = await idleRelay();
    const stop = wakeAfterCommit(fx.tdb.db, () => relay.wake());
    try {
      const before = await published(userDeactivatedV1.type);
      // Published before the consumer starts: they arrive together and share one transaction.
      const inputs = Array.from({ length: 5 }, () => sampleEvent(userRegisteredV1.type));
      for (const event of inputs) {
        await fx.m.js.publish(fx.m.subject(event.type), JSON.stringify(event), { msgID: event.id, headers: toMsgHdrs({ 'x-correlation-id': event.correlationId }) });
      }
      const consumer = createConsumer({
        name: 'wake-after-inbox',
        stream: 'users',
        contracts: [userRegisteredV1],
        db: fx.tdb.db,
        ...messagingOptions(fx),
        concurrencyKey: (event) => event.data.userId,
        handler: async (event, tx) => void (await enqueueEvent(tx, userDeactivatedV1, { userId: event.data.userId }, { correlationId: event.correlationId })),
      });
      await consumer.start();
      fx.running.push(consumer);
      await waitFor(async () => (await published(userDeactivatedV1.type)) === before + inputs.length, { timeoutMs: 10_000 });
    } finally {
      stop();
    }
  });
});
