// Waking the relay after a commit instead of a NOTIFY inside it: in-process (`relay.wake()`) and
// from another process (`outboxWaker`, one coalesced NOTIFY after the commits).
import { userRegisteredV1 } from '@platform/contracts';
import { sampleEventData } from '@platform/contracts/testing';
import { describe, expect, it } from 'vitest';
import { createOutboxRelay, outboxChannel, outboxRecord, outboxTable, outboxWaker } from '../src/index.js';
import { countSubjectMessages, waitFor } from '../src/testing/index.js';
import { useConsumerFixture } from './consumer-fixture.js';

const sample = sampleEventData['users.user.registered.v1'];
const fx = useConsumerFixture('outbox_wake');
const published = () => countSubjectMessages(fx.m.jsm, fx.m.streamName('USERS'), fx.m.subject(userRegisteredV1.type));

/** An event committed with no NOTIFY at all: only a wake-up (or the poll) gets it out. */
async function silentEvent(): Promise<string> {
  const { event, headers } = outboxRecord(userRegisteredV1, sample(), { correlationId: 'corr-silent' });
  await fx.tdb.db.insert(outboxTable).values({ id: event.id, subject: event.type, payload: event, headers });
  return event.id;
}

// A poll interval no test waits out: what gets the event published is the wake-up.
const relayFor = (extra = {}) =>
  createOutboxRelay({ db: fx.tdb.db, js: fx.m.js, logger: fx.m.logger, namespace: fx.m.namespace, publishTimeoutMs: 1_000, pollIntervalMs: 60_000, ...extra });

describe('waking the outbox relay after the commit', () => {
  it('relay.wake() claims at once, without LISTEN or the poll', async () => {
    const relay = relayFor();
    await relay.start();
    try {
      const before = await published();
      await silentEvent();
      relay.wake();
      await waitFor(async () => (await published()) === before + 1, { timeoutMs: 3_000 });
    } finally {
      await relay.stop();
    }
  });

  it('outboxWaker wakes a relay that LISTENs elsewhere, after the commit', async () => {
    const relay = relayFor({ sql: fx.tdb.sql });
    await relay.start();
    const waker = outboxWaker(fx.tdb.sql);
    try {
      const before = await published();
      await silentEvent();
      waker.wake();
      await waitFor(async () => (await published()) === before + 1, { timeoutMs: 3_000 });
    } finally {
      await waker.settled();
      await relay.stop();
    }
  });

  it('coalesces: many commits while a NOTIFY is out cost one more, not one each', async () => {
    let notified = 0;
    const listening = await fx.tdb.sql.listen(outboxChannel, () => {
      notified += 1;
    });
    const waker = outboxWaker(fx.tdb.sql);
    try {
      for (let i = 0; i < 50; i++) waker.wake();
      await waker.settled();
      // The first goes out at once; the 49 wake-ups made while it was out are covered by one after it.
      await waitFor(() => notified >= 2, { timeoutMs: 3_000 });
      expect(notified).toBe(2);
    } finally {
      await listening.unlisten();
    }
  });
});
