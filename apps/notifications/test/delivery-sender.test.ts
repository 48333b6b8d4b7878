import { randomUUID } from 'node:crypto';
import { notificationFailedV1, notificationSentV1, userRegisteredV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { readStreamMessages, waitFor } from '@platform/messaging/testing';
import { sampleValue } from '@platform/metrics/testing';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { deliveries } from '../src/data/schema.js';
import { createHarness, testMailConfig, type Harness } from './support/harness.js';

let h: Harness;
const deliveryOf = async (userId: string) => (await h.env.database.db.select().from(deliveries).where(eq(deliveries.userId, userId)))[0];
const mailsTo = (address: string) => h.smtp.received.filter((m) => m.to.includes(address));

async function registerSomeone() {
  const userId = randomUUID();
  const email = `s-${userId.slice(0, 8)}@example.com`;
  await h.publish(sampleEvent(userRegisteredV1.type, { userId, email }));
  await waitFor(() => deliveryOf(userId), { timeoutMs: 15_000 });
  return { userId, email };
}

async function notificationEvents(userId: string) {
  const messages = await readStreamMessages(h.env.messaging.jsm, h.env.messaging.streamName('NOTIFICATIONS'));
  return messages.map((m) => JSON.parse(m.data)).filter((e) => e.data.userId === userId && e.data.channel === 'email');
}

beforeAll(async () => {
  // Slow enough backoff (200, 400, 800 ms) that a test can change the SMTP server between attempts.
  h = await createHarness({ maxAttempts: 4, retryBaseMs: 200, retryMaxMs: 1_000 });
});

afterEach(async () => {
  h.smtp.mode = 'accept';
  await h.smtp.start();
});

afterAll(async () => {
  await h?.close();
});

describe('delivery sender and a database blip', () => {
  let blip: Harness;
  beforeAll(async () => {
    // A short send timeout keeps the lease (2 × timeout + 5 s) short: the old sender re-sent once it lapsed.
    blip = await createHarness({ sendTimeoutMs: 1_000 }, { databaseProxy: true });
  });
  afterAll(async () => {
    await blip?.close();
  });

  it('records a send that SMTP accepted once the database is back, and never sends it twice', async () => {
    const userId = randomUUID();
    const email = `blip-${userId.slice(0, 8)}@example.com`;
    const proxy = blip.pgProxy!;
    // Postgres goes away the moment SMTP accepts the welcome e-mail, i.e. before "mark sent" commits.
    blip.smtp.onAccept = () => {
      blip.smtp.onAccept = undefined;
      proxy.cut();
      setTimeout(() => proxy.restore(), 1_500); // the blip's length
    };
    await blip.publish(sampleEvent(userRegisteredV1.type, { userId, email }));
    const sent = await waitFor(async () => {
      const [row] = await blip.env.database.db.select().from(deliveries).where(eq(deliveries.userId, userId));
      return row?.status === 'sent' ? row : undefined;
    }, { timeoutMs: 30_000 });
    const received = blip.smtp.received.filter((m) => m.to.includes(email));
    expect(received).toHaveLength(1);
    expect(sent.attempts).toBe(1);
    expect(received[0]!.headers['message-id']).toBe(`<${sent.id}@platform.local>`);
  });
});

describe('delivery sender', () => {
  it('SMTP down: retries with backoff, then marks the delivery failed and publishes the failure', async () => {
    await h.smtp.stop();
    const { userId, email } = await registerSomeone();
    const failed = await waitFor(async () => {
      const d = await deliveryOf(userId);
      return d?.status === 'failed' ? d : undefined;
    }, { timeoutMs: 20_000 });
    expect(failed).toMatchObject({ attempts: 4, sentAt: null, to: email });
    expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
    const events = await waitFor(async () => {
      const found = await notificationEvents(userId);
      return found.length ? found : undefined;
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: notificationFailedV1.type,
      data: { userId, channel: 'email', template: 'welcome', notificationId: failed.notificationId, reason: failed.lastError },
    });
    expect(mailsTo(email)).toHaveLength(0);
  });

  it('SMTP rejecting for a while (451): the e-mail goes out once it accepts again', async () => {
    h.smtp.mode = 'reject-transient';
    const { userId, email } = await registerSomeone();
    await waitFor(async () => ((await deliveryOf(userId))?.attempts ?? 0) >= 2, { timeoutMs: 15_000 });
    expect(await deliveryOf(userId)).toMatchObject({ status: 'pending' });
    expect((await deliveryOf(userId))?.lastError).toMatch(/451/);
    h.smtp.mode = 'accept';
    await waitFor(async () => (await deliveryOf(userId))?.status === 'sent', { timeoutMs: 15_000 });
    expect(mailsTo(email)).toHaveLength(1);
    expect((await deliveryOf(userId))?.lastError).toBeNull();
    const events = await waitFor(async () => {
      const found = await notificationEvents(userId);
      return found.length ? found : undefined;
    });
    expect(events.map((e) => e.type)).toEqual([notificationSentV1.type]);
  });

  it('a permanent rejection (550) fails at once, without retrying', async () => {
    const failedEmails = async () => sampleValue((await h.app.inject({ method: 'GET', url: '/metrics' })).body, 'notifications_emails_total', { outcome: 'failed' });
    const before = await failedEmails();
    h.smtp.mode = 'reject-permanent';
    const { userId } = await registerSomeone();
    await waitFor(async () => (await deliveryOf(userId))?.status === 'failed', { timeoutMs: 15_000 });
    await waitFor(async () => (await failedEmails()) === before + 1);
    expect(await deliveryOf(userId)).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/550/) });
  });

  it('gives every message a Message-ID derived from its delivery', async () => {
    const { userId, email } = await registerSomeone();
    await waitFor(async () => (await deliveryOf(userId))?.status === 'sent', { timeoutMs: 15_000 });
    const delivery = await deliveryOf(userId);
    expect(mailsTo(email)[0]!.headers['message-id']).toBe(`<${delivery!.id}@platform.local>`);
  });

  it('pending deliveries survive a restart and go out when SMTP is back', async () => {
    await h.smtp.stop();
    await h.app.close();
    // Enough attempts that the delivery is still pending when the service stops.
    h.app = await buildApp({ ...h.env.config, mail: testMailConfig(h.smtp, { maxAttempts: 100, retryBaseMs: 100 }) });
    const { userId, email } = await registerSomeone();
    await waitFor(async () => ((await deliveryOf(userId))?.attempts ?? 0) >= 1, { timeoutMs: 15_000 });
    await h.app.close();
    expect(await deliveryOf(userId)).toMatchObject({ status: 'pending' });
    await h.smtp.start();
    await h.restart();
    await waitFor(async () => (await deliveryOf(userId))?.status === 'sent', { timeoutMs: 20_000 });
    expect(mailsTo(email)).toHaveLength(1);
  });
});
