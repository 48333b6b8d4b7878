// Billing's outbox writes (account opened, invoice issued, paid, voided, payment received) wake its
// relay after the commit: none runs a NOTIFY inside its transaction.
import { randomUUID } from 'node:crypto';
import { accountCreatedV1, invoiceIssuedV1, invoicePaidV1, invoiceVoidedV1, paymentReceivedV1 } from '@platform/contracts';
import { listenToOutboxNotifies, waitFor, type OutboxNotifies } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, issuedInvoice, openAccount, startHarness, type Harness } from './harness.js';

let h: Harness;
let notifies: OutboxNotifies;
beforeAll(async () => {
  h = await startHarness();
  notifies = await listenToOutboxNotifies(h.env.database.sql);
});
afterAll(async () => {
  await notifies?.close();
  await h?.close();
});

describe('billing outbox writes', () => {
  it('every billing event is published without a NOTIFY in its transaction', async () => {
    const [admin, user] = [await h.caller('admin'), await h.caller()];
    const accountId = await openAccount(h, user);
    const paid = await issuedInvoice(h, admin, accountId, 500);
    body(await h.request('POST', `/api/v1/billing/invoices/${paid.id}/payments`, user, { amountMinor: 500, method: 'card' }, { 'idempotency-key': randomUUID() }), 201);
    const voided = await issuedInvoice(h, admin, accountId, 700);
    body(await h.request('POST', `/api/v1/billing/invoices/${voided.id}/void`, admin), 200);

    for (const [type, count] of [[accountCreatedV1.type, 1], [invoiceIssuedV1.type, 2], [paymentReceivedV1.type, 1], [invoicePaidV1.type, 1], [invoiceVoidedV1.type, 1]] as const) {
      await waitFor(async () => (await h.billingEvents(type)) === count, { timeoutMs: 10_000 });
    }
    // The marker's NOTIFY, committed after every one of those transactions, arrives first.
    expect(await notifies.count()).toBe(0);
  });
});
