// Waking the relay after a commit instead of a NOTIFY inside it: in-process (`relay.wake()`) and
// from another process (`outboxWaker`, one coalesced NOTIFY after the commits).
import { fileURLToPath } from 'node:url';
import { userRegisteredV1 } from '@platform/contracts';
import { sampleEventData } from '@platform/contracts/testing';
import { createTestDatabase, type TestDatabase } from '@platform/db-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxRelay, outboxChannel, outboxRecord, outboxTable, outboxWaker } from '../src/index.js';
import { countSubjectMessages, createTestMessaging, waitFor, type TestMessaging } from '../src/testing/index.js';

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
const sample = sampleEventData['users.user.registered.v1'];

let tdb: TestDatabase;
let m: TestMessaging;
let subject: string;
let stream: string;

beforeAll(async () => {
  [tdb, m] = await Promise.all([createTestDatabase({ prefix: 'outbox_wake', migrationsFolder }), createTestMessaging()]);
  await m.ensureStreams();
  subject = m.subject(userRegisteredV1.type);
  stream = m.streamName('USERS');
});

afterAll(async () => {
  await Promise.all([tdb?.drop(), m?.cleanup()]);
});

/** An event committed with no NOTIFY at all: only a wake-up (or the poll) gets it out. */
async function silentEvent(): Promise<string> {
  const { event, headers } = outboxRecord(userRegisteredV1, sample(), { correlationId: 'corr-silent' });
  await tdb.db.insert(outboxTable).values({ id: event.id, subject: event.type, payload: event, headers });
  return event.id;
}

// A poll interval no test waits out: what gets the event published is the wake-up.
const relayFor = (extra = {}) =>
  createOutboxRelay({ db: tdb.db, js: m.js, logger: m.logger, namespace: m.namespace, publishTimeoutMs: 1_000, pollIntervalMs: 60_000, ...extra });

describe('waking the outbox relay after the commit', () => {
  it('relay.wake() claims at once, without LISTEN or the poll', async () => {
    const relay = relayFor();
    await relay.start();
    try {
      const before = await countSubjectMessages(m.jsm, stream, subject);
      await silentEvent();
      relay.wake();
      await waitFor(async () => (await countSubjectMessages(m.jsm, stream, subject)) === before + 1, { timeoutMs: 3_000 });
    } finally {
      await relay.stop();
    }
  });

  it('outboxWaker wakes a relay that LISTENs elsewhere, after the commit', async () => {
    const relay = relayFor({ sql: tdb.sql });
    await relay.start();
    const waker = outboxWaker(tdb.sql);
    try {
      const before = await countSubjectMessages(m.jsm, stream, subject);
      await silentEvent();
      waker.wake();
      await waitFor(async () => (await countSubjectMessages(m.jsm, stream, subject)) === before + 1, { timeoutMs: 3_000 });
    } finally {
      await waker.settled();
      await relay.stop();
    }
  });

  it('coalesces: many commits while a NOTIFY is out cost one more, not one each', async () => {
    let notified = 0;
    const listening = await tdb.sql.listen(outboxChannel, () => {
      notified += 1;
    });
    const waker = outboxWaker(tdb.sql);
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
