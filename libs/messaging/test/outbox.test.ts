import { fileURLToPath } from 'node:url';
import type { JetStreamClient } from '@nats-io/jetstream';
import { userRegisteredV1 } from '@platform/contracts';
import { sampleEventData } from '@platform/contracts/testing';
import { createTestDatabase, type TestDatabase } from '@platform/db-kit/testing';
import { eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxRelay, enqueueEvent, outboxTable, outboxWaker, wakeAfterCommit, type OutboxWaker } from '../src/index.js';
import { countSubjectMessages, createTestMessaging, readStreamMessages, waitFor, type TestMessaging } from '../src/testing/index.js';
import { widgets } from './schema.js';

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
const sample = sampleEventData['users.user.registered.v1'];

let tdb: TestDatabase;
let m: TestMessaging;
let subject: string;
let stream: string;
let waker: OutboxWaker | undefined;

beforeAll(async () => {
  [tdb, m] = await Promise.all([createTestDatabase({ prefix: 'outbox', migrationsFolder }), createTestMessaging()]);
  await m.ensureStreams();
  subject = m.subject(userRegisteredV1.type);
  stream = m.streamName('USERS');
  // This file's commits wake the relays the way a process without a relay of its own does: one
  // NOTIFY after the commit (the relays here LISTEN), none inside the transaction.
  waker = outboxWaker(tdb.sql);
  wakeAfterCommit(tdb.db, waker.wake);
});

afterAll(async () => {
  await waker?.settled();
  await Promise.all([tdb?.drop(), m?.cleanup()]);
});

/** One state change plus its event, in one transaction, as a service would write them. */
async function changeWithEvent(name: string, opts: { fail?: boolean } = {}) {
  return tdb.db.transaction(async (tx) => {
    const data = sample();
    await tx.insert(widgets).values({ id: data.userId, name });
    const event = await enqueueEvent(tx, userRegisteredV1, data, { correlationId: `corr-${name}` });
    if (opts.fail) throw new Error('business rule broken after the event was written');
    return event;
  });
}

const relayFor = (js: Pick<JetStreamClient, 'publish'> = m.js, extra = {}) =>
  createOutboxRelay({ db: tdb.db, js, logger: m.logger, namespace: m.namespace, publishTimeoutMs: 1_000, ...extra });

describe('transactional outbox', () => {
  it('commits the change and its event together, or neither', async () => {
    const event = await changeWithEvent('committed');
    const [row] = await tdb.db.select().from(outboxTable).where(eq(outboxTable.id, event.id));
    expect(row).toMatchObject({ subject: 'users.user.registered.v1', publishedAt: null, attempts: 0 });
    expect(row?.payload).toEqual(event);
    expect(await tdb.db.select().from(widgets).where(eq(widgets.name, 'committed'))).toHaveLength(1);

    await expect(changeWithEvent('rolled-back', { fail: true })).rejects.toThrow('business rule');
    expect(await tdb.db.select().from(widgets).where(eq(widgets.name, 'rolled-back'))).toHaveLength(0);
    const outbox = await tdb.db.select().from(outboxTable);
    expect(outbox.map((r) => r.id)).toEqual([event.id]);
  });

  it('rejects invalid event data and writes nothing', async () => {
    const before = await tdb.db.$count(outboxTable);
    await expect(
      tdb.db.transaction(async (tx) => {
        await tx.insert(widgets).values({ id: sample().userId, name: 'invalid' });
        await enqueueEvent(tx, userRegisteredV1, { ...sample(), role: 'root' as never }, { correlationId: 'c' });
      }),
    ).rejects.toThrow(/role/);
    expect(await tdb.db.$count(outboxTable)).toBe(before);
    expect(await tdb.db.select().from(widgets).where(eq(widgets.name, 'invalid'))).toHaveLength(0);
  });

  it('publishes events committed while no relay ran, exactly once, after a restart', async () => {
    await tdb.db.delete(outboxTable);
    const events = [await changeWithEvent('a'), await changeWithEvent('b'), await changeWithEvent('c')];
    const before = await countSubjectMessages(m.jsm, stream, subject);

    // "Restart": a brand-new relay instance finds the committed rows and publishes them.
    const relay = relayFor(m.js, { sql: tdb.sql, pollIntervalMs: 50 });
    await relay.start();
    await waitFor(async () => (await countSubjectMessages(m.jsm, stream, subject)) === before + 3);
    await relay.stop();

    // A second restart has nothing left to do.
    expect(await relayFor().flush()).toBe(0);
    expect(await countSubjectMessages(m.jsm, stream, subject)).toBe(before + 3);

    const rows = await tdb.db.select().from(outboxTable);
    expect(rows.every((r) => r.publishedAt instanceof Date && r.attempts === 1)).toBe(true);

    const stored = (await readStreamMessages(m.jsm, stream, subject)).slice(-3);
    expect(stored.map((s) => s.headers['Nats-Msg-Id']).sort()).toEqual(events.map((e) => e.id).sort());
    const first = stored.find((s) => s.headers['Nats-Msg-Id'] === events[0]?.id);
    expect(first?.headers['x-correlation-id']).toBe('corr-a');
    expect(first?.headers['x-request-id']).toBe('corr-a');
    expect(JSON.parse(first?.data ?? '{}')).toEqual(events[0]);
  });

  it('retries a publish whose ack was lost with the same id, and the stream stores it once', async () => {
    await tdb.db.delete(outboxTable);
    const event = await changeWithEvent('lost-ack');
    let calls = 0;
    const flakyJs: Pick<JetStreamClient, 'publish'> = {
      async publish(subj, payload, opts) {
        calls += 1;
        const ack = await m.js.publish(subj, payload, opts);
        if (calls === 1) throw new Error('simulated timeout: ack lost after the stream stored it');
        return ack;
      },
    };
    const relay = relayFor(flakyJs);
    expect(await relay.flush()).toBe(0);
    const [failed] = await tdb.db.select().from(outboxTable).where(eq(outboxTable.id, event.id));
    expect(failed).toMatchObject({ publishedAt: null, attempts: 1, lastError: expect.stringMatching(/simulated timeout/) });

    expect(await relay.flush()).toBe(1);
    const [sent] = await tdb.db.select().from(outboxTable).where(eq(outboxTable.id, event.id));
    expect(sent?.publishedAt).toBeInstanceOf(Date);
    expect(sent?.attempts).toBe(2);

    const stored = await readStreamMessages(m.jsm, stream, subject);
    expect(stored.filter((s) => s.headers['Nats-Msg-Id'] === event.id)).toHaveLength(1);
  });

  it('keeps an event for retry while NATS rejects it, then publishes it', async () => {
    await tdb.db.delete(outboxTable);
    const event = await changeWithEvent('nats-down');
    const downJs: Pick<JetStreamClient, 'publish'> = {
      publish: () => Promise.reject(new Error('no responders')),
    };
    expect(await relayFor(downJs).flush()).toBe(0);
    expect(await relayFor(downJs).flush()).toBe(0);
    expect(await relayFor().flush()).toBe(1);
    const [row] = await tdb.db.select().from(outboxTable).where(eq(outboxTable.id, event.id));
    expect(row?.attempts).toBe(3);
  });

  it('records a batch of mixed outcomes in its one UPDATE: acked rows published, the failed one kept with its error', async () => {
    await tdb.db.delete(outboxTable);
    const events = [await changeWithEvent('mixed-a'), await changeWithEvent('mixed-b'), await changeWithEvent('mixed-c')];
    const refused = events[1]?.id;
    const pickyJs: Pick<JetStreamClient, 'publish'> = {
      publish: (subj, payload, opts) => (opts?.msgID === refused ? Promise.reject(new Error('refused: one of three')) : m.js.publish(subj, payload, opts)),
    };
    expect(await relayFor(pickyJs).flush()).toBe(2);
    const rows = await tdb.db.select().from(outboxTable);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const event of events) {
      const row = byId.get(event.id);
      expect(row?.attempts).toBe(1);
      if (event.id === refused) expect(row).toMatchObject({ publishedAt: null, lastError: 'refused: one of three' });
      else expect(row).toMatchObject({ publishedAt: expect.any(Date), lastError: null });
    }
    expect(await relayFor().flush()).toBe(1);
    const [retried] = await tdb.db.select().from(outboxTable).where(eq(outboxTable.id, refused as string));
    expect(retried).toMatchObject({ publishedAt: expect.any(Date), attempts: 2, lastError: null });
  });

  it('two relay replicas never publish the same row (SKIP LOCKED)', async () => {
    await tdb.db.delete(outboxTable);
    const before = await countSubjectMessages(m.jsm, stream, subject);
    await tdb.db.transaction(async (tx) => {
      for (let i = 0; i < 60; i++) await enqueueEvent(tx, userRegisteredV1, sample(), { correlationId: `bulk-${i}` });
    });
    const relays = [relayFor(m.js, { batchSize: 10 }), relayFor(m.js, { batchSize: 10 })];
    const sent = await Promise.all(relays.map((r) => r.flush()));
    expect(sent.reduce((a, b) => a + b, 0)).toBe(60);
    const rows = await tdb.db.select().from(outboxTable);
    expect(rows.every((r) => r.attempts === 1 && r.publishedAt)).toBe(true);
    expect(await countSubjectMessages(m.jsm, stream, subject)).toBe(before + 60);
  });

  it('drains a backlog of several batches (one claimed while the last is in flight) once each, in claim order', async () => {
    await tdb.db.delete(outboxTable);
    const events = [];
    // One transaction each: distinct created_at, so the claim order is the commit order.
    for (let i = 0; i < 45; i++) events.push(await changeWithEvent(`backlog-${i}`));
    const before = (await readStreamMessages(m.jsm, stream, subject)).length;
    const relay = relayFor(m.js, { sql: tdb.sql, batchSize: 10, pollIntervalMs: 60_000 });
    await relay.start();
    try {
      await waitFor(async () => (await tdb.db.$count(outboxTable, isNull(outboxTable.publishedAt))) === 0, { timeoutMs: 10_000 });
    } finally {
      await relay.stop();
    }
    const stored = (await readStreamMessages(m.jsm, stream, subject)).slice(before);
    expect(stored.map((s) => s.headers['Nats-Msg-Id'])).toEqual(events.map((e) => e.id));
    const rows = await tdb.db.select().from(outboxTable);
    expect(rows.every((r) => r.attempts === 1 && r.publishedAt)).toBe(true);
  });

  it('claims a commit notified while the batch before it waits for its acks, and marks each row once', async () => {
    await tdb.db.delete(outboxTable);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    // The first publish's ack is held back: its batch cannot be recorded until released.
    const slowJs: Pick<JetStreamClient, 'publish'> = {
      async publish(subj, payload, opts) {
        sent.push(String(opts?.msgID));
        const ack = await m.js.publish(subj, payload, opts);
        if (sent.length === 1) await held;
        return ack;
      },
    };
    const relay = relayFor(slowJs, { sql: tdb.sql, pollIntervalMs: 60_000 });
    await relay.start();
    try {
      const first = await changeWithEvent('held-ack');
      // Bounds well under the 60 s poll (so only the wake-up can pass them), wide enough for a loaded CI machine.
      await waitFor(() => sent.length === 1, { timeoutMs: 10_000 });
      const second = await changeWithEvent('while-held');
      await waitFor(() => sent.includes(second.id), { timeoutMs: 10_000 });
      const [waiting] = await tdb.db.select().from(outboxTable).where(eq(outboxTable.id, first.id));
      expect(waiting?.publishedAt).toBeNull();
      release();
      await waitFor(async () => (await tdb.db.$count(outboxTable, isNull(outboxTable.publishedAt))) === 0, { timeoutMs: 10_000 });
      const rows = await tdb.db.select().from(outboxTable);
      expect(rows.map((r) => r.attempts)).toEqual([1, 1]);
      expect(sent).toEqual([first.id, second.id]);
    } finally {
      release();
      await relay.stop();
    }
  });

  it('wakes on a NOTIFY after the commit without waiting for the poll interval', async () => {
    const relay = relayFor(m.js, { sql: tdb.sql, pollIntervalMs: 60_000 });
    await relay.start();
    try {
      const before = await countSubjectMessages(m.jsm, stream, subject);
      await new Promise((r) => setTimeout(r, 100)); // let the first (empty) batch finish and idle
      await changeWithEvent('notified');
      await waitFor(async () => (await countSubjectMessages(m.jsm, stream, subject)) === before + 1, { timeoutMs: 10_000 });
    } finally {
      await relay.stop();
    }
  });
});
