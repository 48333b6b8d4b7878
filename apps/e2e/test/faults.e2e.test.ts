import { readDeadLetters, waitFor } from '@platform/messaging/testing';
import { createTcpProxy, type TcpProxy } from '@platform/resilience/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePlatform } from '../src/fixture.js';
import { login, newUserInput, type RegisteredUser } from '../src/gateway-client.js';
import { startSmtpSink, type SmtpSink } from '../src/smtp.js';

/**
 * The short version of `npm run chaos` (tools/chaos): while users keep registering through the
 * gateway, the notifications process is SIGKILLed and restarted, then its database blips. After
 * the platform is quiet: every welcome exactly once (in-app, delivery, e-mail), no dead letter,
 * and no answer outside 2xx / 4xx / 503 / 504.
 */
describe('faults while events keep arriving', () => {
  let smtp: SmtpSink;
  let pgProxy: TcpProxy;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    pgProxy = await createTcpProxy('127.0.0.1', 5432);
  });
  afterAll(async () => {
    await pgProxy?.close();
    await smtp?.close();
  });
  const e2e = usePlatform(
    () => ({ NOTIFICATIONS_SMTP_URL: smtp.url, NOTIFICATIONS_MAIL_POLL_INTERVAL_MS: '100', NOTIFICATIONS_MAIL_RETRY_BASE_MS: '200' }),
    () => ({ databaseUrlFor: (service, url) => (service === 'notifications' ? pgProxy.url(url) : url) }),
  );

  it('a consumer killed mid-stream and a database blip: each effect once, nothing dead-lettered, never a 500', async () => {
    const statuses: number[] = [];
    const users: RegisteredUser[] = [];
    const reader = newUserInput('fault-reader');
    expect((await e2e.client.post('/api/v1/auth/register', reader)).status).toBe(201);
    const { accessToken } = await login(e2e.client, reader.email, reader.password);

    let loading = true;
    const registering = (async () => {
      for (let i = 0; i < 16; i++) {
        const response = await e2e.client.post<RegisteredUser>('/api/v1/auth/register', newUserInput(`fault-${i}`));
        statuses.push(response.status);
        if (response.status === 201) users.push(response.body.data);
      }
      loading = false;
    })();
    // Reads that need the notifications service and its database, all along.
    const reading = (async () => {
      while (loading) {
        const response = await e2e.client.get('/api/v1/notifications', { token: accessToken });
        statuses.push(response.status);
        if (response.status >= 500) expect(response.body).toMatchObject({ code: expect.stringMatching(/SERVICE_UNAVAILABLE|GATEWAY_TIMEOUT/), requestId: expect.any(String) });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    // 1. A consumer crash. SMTP refuses (451) meanwhile and every accepted e-mail is recorded
    //    first, so none is between "accepted" and "recorded" when the process dies: that window
    //    is the one documented way to a second copy (see apps/notifications/README.md).
    await waitFor(() => users.length >= 4, { timeoutMs: 30_000 });
    smtp.mode = 'reject';
    const { sql } = e2e.quiet.db('notifications');
    await waitFor(async () => {
      const [sent] = await sql<{ n: number }[]>`select count(*)::int as n from deliveries where status = 'sent'`;
      return smtp.inFlight === 0 && sent?.n === new Set(smtp.received.map((m) => m.messageId)).size;
    }, { timeoutMs: 15_000 });
    expect(await e2e.platform.kill('notifications', 'SIGKILL')).toBeNull();
    await e2e.platform.restart('notifications');
    smtp.mode = 'accept';

    // 2. A database blip under the same load.
    await waitFor(() => users.length >= 10, { timeoutMs: 30_000 });
    pgProxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the blip's length
    pgProxy.restore();

    await Promise.all([registering, reading]);
    await e2e.quiet.wait(60_000);

    expect(statuses.filter((s) => !(s < 500 || s === 503 || s === 504))).toEqual([]);
    expect(users).toHaveLength(16);
    const ids = users.map((u) => u.id);
    const inApp = await sql<{ n: number }[]>`select count(*)::int as n from notifications where template = 'welcome' and channel = 'in_app' and user_id = any(${ids}::uuid[])`;
    const sent = await sql<{ id: string }[]>`select id from deliveries where template = 'welcome' and status = 'sent' and user_id = any(${ids}::uuid[])`;
    expect(inApp[0]?.n).toBe(16);
    expect(sent).toHaveLength(16);
    const mails = smtp.received.filter((m) => users.some((u) => m.to.includes(u.email)));
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(16);
    expect(mails).toHaveLength(16);
    expect(await readDeadLetters(e2e.nats.jsm, e2e.platform.namespace)).toEqual([]);
  }, 180_000);
});
