import { randomUUID } from 'node:crypto';
import { waitFor } from '@platform/messaging/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, usePlatform } from '../src/fixture.js';
import { loginAdmin, signUp } from '../src/gateway-client.js';

interface Summary {
  users: { total: number; active: number; registered: number };
  billing: { invoicesIssued: number; revenueMinor: Record<string, number>; outstandingMinor: Record<string, number> };
  notifications: { sent: number; failed: number };
}

describe('analytics through the gateway: registrations, an invoice and a payment show up in the summary', () => {
  const e2e = usePlatform();
  let adminToken: string;

  const summary = async () => {
    const res = await e2e.client.get<Summary>('/api/v1/analytics/summary', { token: adminToken });
    expect(res).toMatchObject({ status: 200, body: { code: 'SUCCESS', module: 'analytics' } });
    return res.body.data;
  };

  beforeAll(async () => {
    adminToken = (await loginAdmin(e2e.client, ADMIN.email, ADMIN.password)).accessToken;
  });

  it('is admin only at the gateway', async () => {
    expect((await e2e.client.get('/api/v1/analytics/summary')).status).toBe(401);
    const someone = await signUp(e2e.client, 'analytics-reader');
    const res = await e2e.client.get('/api/v1/analytics/summary', { token: someone.tokens.accessToken });
    expect(res).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
  });

  it('counts users, invoices issued, revenue and what is still due', async () => {
    // Settle first: the admin seed and the previous test's events may still be arriving.
    await e2e.quiet.wait();
    const before = await summary();

    const payer = await signUp(e2e.client, 'analytics-payer');
    await signUp(e2e.client, 'analytics-other');
    const account = await e2e.client.post<{ id: string }>('/api/v1/billing/accounts', { currency: 'EUR' }, { token: payer.tokens.accessToken });
    expect(account.status).toBe(201);
    const draft = await e2e.client.post<{ id: string }>(
      '/api/v1/billing/invoices',
      { accountId: account.body.data.id, dueDate: '2030-06-30', lines: [{ description: 'Plan', quantity: 2, unitAmountMinor: 5_000 }] },
      { token: adminToken },
    );
    expect(draft.status).toBe(201);
    const invoiceId = draft.body.data.id;
    expect((await e2e.client.post(`/api/v1/billing/invoices/${invoiceId}/issue`, undefined, { token: adminToken })).status).toBe(200);
    const paid = await e2e.client.post(
      `/api/v1/billing/invoices/${invoiceId}/payments`,
      { amountMinor: 4_000, method: 'card' },
      { token: payer.tokens.accessToken, headers: { 'idempotency-key': randomUUID() } },
    );
    expect(paid.status).toBe(201);

    const eur = (m: Record<string, number>) => m.EUR ?? 0;
    const expected = {
      users: { total: before.users.total + 2, active: before.users.active + 2, registered: before.users.registered + 2 },
      billing: {
        invoicesIssued: before.billing.invoicesIssued + 1,
        revenueEUR: eur(before.billing.revenueMinor) + 4_000,
        outstandingEUR: eur(before.billing.outstandingMinor) + 6_000,
      },
    };
    const reached = await waitFor(async () => {
      const now = await summary();
      const view = {
        users: now.users,
        billing: { invoicesIssued: now.billing.invoicesIssued, revenueEUR: eur(now.billing.revenueMinor), outstandingEUR: eur(now.billing.outstandingMinor) },
      };
      return JSON.stringify(view) === JSON.stringify(expected) ? now : null;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    expect(reached.notifications.failed).toBeGreaterThanOrEqual(0);

    const today = new Date().toISOString().slice(0, 10);
    const series = await e2e.client.get<Array<{ bucket: string; value: number }>>(`/api/v1/analytics/timeseries?metric=revenue&currency=EUR&interval=day&from=${today}`, { token: adminToken });
    expect(series.status).toBe(200);
    expect(series.body.data.at(-1)?.value).toBeGreaterThanOrEqual(4_000);
  });
});
