import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { GatewayClient } from './gateway-client.js';

/**
 * The billing path every scaling test drives: open an account, an admin issues an invoice, the
 * user pays it with an Idempotency-Key and replays the same request through `replayVia` (another
 * gateway, hence most likely another billing replica): one payment, the replay answered 200 with it.
 */
export async function payInvoiceTwice(
  via: GatewayClient,
  replayVia: GatewayClient,
  tokens: { user: string; admin: string },
): Promise<{ invoiceId: string; paymentId: string }> {
  const account = await via.post<{ id: string }>('/api/v1/billing/accounts', { currency: 'EUR', companyName: 'Scale Ltd' }, { token: tokens.user });
  expect(account.status).toBe(201);
  const draft = await via.post<{ id: string }>(
    '/api/v1/billing/invoices',
    { accountId: account.body.data.id, dueDate: '2030-06-30', lines: [{ description: 'Plan', quantity: 1, unitAmountMinor: 2_500 }] },
    { token: tokens.admin },
  );
  expect(draft.status).toBe(201);
  const invoiceId = draft.body.data.id;
  expect((await replayVia.post(`/api/v1/billing/invoices/${invoiceId}/issue`, undefined, { token: tokens.admin })).status).toBe(200);
  const key = randomUUID();
  const pay = (client: GatewayClient) =>
    client.post<{ id: string }>(`/api/v1/billing/invoices/${invoiceId}/payments`, { amountMinor: 2_500, method: 'card' }, { token: tokens.user, headers: { 'idempotency-key': key } });
  const first = await pay(via);
  expect(first.status).toBe(201);
  const replay = await pay(replayVia);
  expect(replay.status).toBe(200);
  expect(replay.body.data).toEqual(first.body.data);
  const invoice = await replayVia.get<{ status: string; amountPaidMinor: number }>(`/api/v1/billing/invoices/${invoiceId}`, { token: tokens.user });
  expect(invoice.body.data).toMatchObject({ status: 'paid', amountPaidMinor: 2_500 });
  return { invoiceId, paymentId: first.body.data.id };
}

/** `count` wrong passwords for one e-mail, alternating between `clients`: the statuses in order. */
export async function wrongPasswords(clients: GatewayClient[], email: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const client = clients[i % clients.length] as GatewayClient;
    statuses.push((await client.post('/api/v1/auth/login', { email, password: 'Wr0ng-Password' })).status);
  }
  return statuses;
}
