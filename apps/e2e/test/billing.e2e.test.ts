import { randomUUID } from 'node:crypto';
import { accountCreatedV1, invoiceIssuedV1, invoicePaidV1, paymentReceivedV1 } from '@platform/contracts';
import { waitFor } from '@platform/messaging/testing';
import { describe, expect, it } from 'vitest';
import { ADMIN, usePlatform } from '../src/fixture.js';
import { login, signUp } from '../src/gateway-client.js';

describe('billing through the gateway: account → invoice → two-part payment with a replayed key', () => {
  const e2e = usePlatform();
  const call = <T>(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }) =>
    e2e.client.request<T>(method, path, options);

  it('charges once per key, settles the invoice, and publishes each billing event once', async () => {
    const payer = await signUp(e2e.client, 'payer');
    const userId = payer.user.id;
    const userToken = payer.tokens.accessToken;
    const adminToken = (await login(e2e.client, ADMIN.email, ADMIN.password)).accessToken;

    const opened = await call<{ id: string; userId: string; currency: string; billingEmail: string | null }>('POST', '/api/v1/billing/accounts', {
      token: userToken,
      body: { currency: 'EUR', companyName: 'Payer Ltd' },
    });
    expect(opened).toMatchObject({ status: 201, body: { module: 'billing', data: { userId, currency: 'EUR' } } });
    const accountId = opened.body.data.id;

    const draft = await call<{ id: string; number: string; totalMinor: number; status: string }>('POST', '/api/v1/billing/invoices', {
      token: adminToken,
      body: { accountId, dueDate: '2030-06-30', lines: [{ description: 'Annual plan', quantity: 2, unitAmountMinor: 5000 }] },
    });
    expect(draft).toMatchObject({ status: 201, body: { data: { status: 'draft', totalMinor: 10_000, number: expect.stringMatching(/^INV-\d{6}$/) } } });
    const invoiceId = draft.body.data.id;
    expect(await call('POST', `/api/v1/billing/invoices/${invoiceId}/issue`, { token: adminToken })).toMatchObject({ status: 200, body: { data: { status: 'issued' } } });

    const payUrl = `/api/v1/billing/invoices/${invoiceId}/payments`;
    const key = randomUUID();
    const first = await call<{ id: string }>('POST', payUrl, { token: userToken, body: { amountMinor: 4000, method: 'card' }, headers: { 'idempotency-key': key } });
    expect(first).toMatchObject({ status: 201, body: { data: { invoiceId, amountMinor: 4000, currency: 'EUR' } } });
    const replay = await call<{ id: string }>('POST', payUrl, { token: userToken, body: { amountMinor: 4000, method: 'card' }, headers: { 'idempotency-key': key } });
    expect(replay.status).toBe(200);
    expect(replay.body.data).toEqual(first.body.data);
    const second = await call('POST', payUrl, { token: userToken, body: { amountMinor: 6000, method: 'bank_transfer' }, headers: { 'idempotency-key': randomUUID() } });
    expect(second.status).toBe(201);

    const paid = await call('GET', `/api/v1/billing/invoices/${invoiceId}`, { token: userToken });
    expect(paid).toMatchObject({ status: 200, body: { data: { status: 'paid', amountPaidMinor: 10_000, amountDueMinor: 0, paidAt: expect.any(String) } } });

    const expected = {
      [accountCreatedV1.type]: 1,
      [invoiceIssuedV1.type]: 1,
      [paymentReceivedV1.type]: 2,
      [invoicePaidV1.type]: 1,
    };
    await waitFor(
      async () => {
        const seen = Object.fromEntries(await Promise.all(Object.keys(expected).map(async (type) => [type, await e2e.countEvents('BILLING', type)])));
        expect(seen).toEqual(expected);
        return true;
      },
      { timeoutMs: 20_000 },
    );
  }, 60_000);
});
