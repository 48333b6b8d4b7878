import { randomUUID } from 'node:crypto';
import { waitFor } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePlatform } from '../src/fixture.js';
import { loginAdmin, signUp } from '../src/gateway-client.js';
import { startSmtpSink, type SmtpSink } from '../src/smtp.js';

interface Notification {
  id: string;
  template: string;
  channel: string;
  title: string;
  body: string;
  readAt: string | null;
}

interface Delivery {
  to: string;
  template: string;
  status: string;
}

describe('notifications through the gateway: welcome, invoice issued, payment receipt — once each', () => {
  let smtp: SmtpSink;
  // Registered before usePlatform: the SMTP server is up before the platform starts, and closes after it stops.
  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(async () => smtp?.close());
  const e2e = usePlatform(() => ({ NOTIFICATIONS_SMTP_URL: smtp.url, NOTIFICATIONS_MAIL_POLL_INTERVAL_MS: '100' }));

  it('delivers each message once, in-app and by e-mail', async () => {
    const user = await signUp(e2e.client, 'notified');
    const token = user.tokens.accessToken;
    const inApp = async () => (await e2e.client.get<Notification[]>('/api/v1/notifications?pageSize=100', { token })).body.data;
    const mailsTo = () => smtp.received.filter((m) => m.to.includes(user.email));

    // register → welcome visible within seconds
    const welcome = await waitFor(async () => (await inApp()).find((n) => n.template === 'welcome'), { timeoutMs: 15_000 });
    expect(welcome).toMatchObject({ channel: 'in_app', title: 'Welcome to the Platform', readAt: null });
    await waitFor(() => mailsTo().length === 1, { timeoutMs: 15_000 });

    // an issued invoice and a payment
    const admin = await loginAdmin(e2e.client);
    const account = await e2e.client.post<{ id: string }>('/api/v1/billing/accounts', { currency: 'EUR' }, { token });
    expect(account.status).toBe(201);
    const draft = await e2e.client.post<{ id: string; number: string }>(
      '/api/v1/billing/invoices',
      { accountId: account.body.data.id, dueDate: '2030-06-30', lines: [{ description: 'Plan', quantity: 1, unitAmountMinor: 4_200 }] },
      { token: admin.accessToken },
    );
    expect(draft.status).toBe(201);
    const { id: invoiceId, number } = draft.body.data;
    expect((await e2e.client.post(`/api/v1/billing/invoices/${invoiceId}/issue`, undefined, { token: admin.accessToken })).status).toBe(200);
    const paid = await e2e.client.post(`/api/v1/billing/invoices/${invoiceId}/payments`, { amountMinor: 4_200, method: 'card' }, {
      token,
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(paid.status).toBe(201);

    await waitFor(async () => {
      const templates = (await inApp()).map((n) => n.template);
      return templates.includes('invoice_issued') && templates.includes('payment_receipt');
    }, { timeoutMs: 20_000 });
    await waitFor(() => mailsTo().length === 3, { timeoutMs: 20_000 });
    await e2e.quiet.wait(); // nothing left to happen: a duplicate would have shown up by now

    const list = await inApp();
    expect(list.map((n) => n.template).sort()).toEqual(['invoice_issued', 'payment_receipt', 'welcome']);
    expect(list.find((n) => n.template === 'invoice_issued')).toMatchObject({ title: `Invoice ${number} issued`, body: expect.stringContaining('€42.00') });
    expect(list.find((n) => n.template === 'payment_receipt')?.body).toContain('€42.00');
    expect(mailsTo()).toHaveLength(3);

    const deliveries = await e2e.client.get<Delivery[]>(`/api/v1/notifications/deliveries?userId=${user.user.id}`, { token: admin.accessToken });
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.data.map((d) => `${d.template}:${d.status}:${d.to}`).sort()).toEqual([
      `invoice_issued:sent:${user.email}`,
      `payment_receipt:sent:${user.email}`,
      `welcome:sent:${user.email}`,
    ]);

    // marking read through the gateway
    const read = await e2e.client.post<Notification>(`/api/v1/notifications/${welcome.id}/read`, undefined, { token });
    expect(read).toMatchObject({ status: 200, body: { module: 'notifications', data: { id: welcome.id, readAt: expect.any(String) } } });
  });
});
