import { randomUUID } from 'node:crypto';
import { invoiceIssuedV1, invoicePaidV1, paymentReceivedV1 } from '@platform/contracts';
import { createLogger } from '@platform/logging';
import { waitFor } from '@platform/messaging/testing';
import { sampleValue } from '@platform/metrics/testing';
import { billingRetention } from '../src/workers/retention.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, createInvoice, issuedInvoice, openAccount, startHarness, type Caller, type Harness, type InvoiceBody } from './harness.js';

interface Payment {
  id: string;
  invoiceId: string;
  amountMinor: number;
  currency: string;
  method: string;
  createdAt: string;
}

const payUrl = (invoiceId: string) => `/api/v1/billing/invoices/${invoiceId}/payments`;

describe('billing payments', () => {
  let h: Harness;
  let admin: Caller;
  let alice: Caller;
  let bob: Caller;
  let aliceAccount: string;
  let bobAccount: string;

  const pay = (caller: Caller, invoiceId: string, payload: unknown, key: string | null = randomUUID()) =>
    h.request('POST', payUrl(invoiceId), caller, payload, key === null ? {} : { 'idempotency-key': key });
  const invoice = async (id: string) => body<InvoiceBody>(await h.request('GET', `/api/v1/billing/invoices/${id}`, admin), 200).data;

  beforeAll(async () => {
    h = await startHarness();
    admin = await h.caller('admin');
    [alice, bob] = await Promise.all([h.caller(), h.caller()]);
    aliceAccount = await openAccount(h, alice, 'EUR');
    bobAccount = await openAccount(h, bob, 'USD');
  });
  afterAll(async () => h?.close());

  const scrape = async () => (await h.app.inject({ method: 'GET', url: '/metrics' })).body;

  it('takes a payment in two parts, replays a repeated key, and marks the invoice paid', async () => {
    const metricsBefore = await scrape();
    const inv = await issuedInvoice(h, admin, aliceAccount, 1000);
    const key = randomUUID();
    const first = body<Payment>(await pay(alice, inv.id, { amountMinor: 400, method: 'card' }, key), 201).data;
    expect(first).toEqual({ id: expect.any(String), invoiceId: inv.id, amountMinor: 400, currency: 'EUR', method: 'card', createdAt: expect.any(String) });
    expect(await invoice(inv.id)).toMatchObject({ status: 'issued', amountPaidMinor: 400, amountDueMinor: 600, paidAt: null });

    const before = await h.counts();
    const replay = body<Payment>(await pay(alice, inv.id, { method: 'card', amountMinor: 400 }, key), 200).data;
    expect(replay).toEqual(first);
    expect(await h.counts()).toEqual(before);

    const second = body<Payment>(await pay(alice, inv.id, { amountMinor: 600, method: 'bank_transfer' }), 201).data;
    expect(second.id).not.toBe(first.id);
    expect(await invoice(inv.id)).toMatchObject({ status: 'paid', amountPaidMinor: 1000, amountDueMinor: 0, paidAt: expect.stringMatching(/Z$/) });
    // A replay after the invoice is paid still answers the stored payment, not a 422.
    expect(body<Payment>(await pay(alice, inv.id, { amountMinor: 400, method: 'card' }, key), 200).data).toEqual(first);

    const events = await h.env.database.sql<{ subject: string; payload: { data: Record<string, unknown> } }[]>`
      select subject, payload from outbox where payload->'data'->>'invoiceId' = ${inv.id} and subject like 'billing.%' order by created_at`;
    expect(events.map((e) => e.subject)).toEqual([invoiceIssuedV1.type, paymentReceivedV1.type, paymentReceivedV1.type, invoicePaidV1.type]);
    expect(events[1]?.payload.data).toEqual({ paymentId: first.id, invoiceId: inv.id, userId: alice.id, amountMinor: 400, currency: 'EUR' });
    expect(events[3]?.payload.data).toEqual({ invoiceId: inv.id, userId: alice.id, currency: 'EUR', totalMinor: 1000 });

    // Counted from what the routes answered: one invoice issued, two payments, two replays.
    const metricsAfter = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => sampleValue(metricsAfter, name, labels) - sampleValue(metricsBefore, name, labels);
    expect(delta('billing_invoices_issued_total')).toBe(1);
    expect(delta('billing_payments_total', { outcome: 'succeeded' })).toBe(2);
    expect(delta('billing_payments_total', { outcome: 'replayed' })).toBe(2);
    expect(delta('billing_payments_total', { outcome: 'failed' })).toBe(0);
    expect((await pay(alice, inv.id, { amountMinor: 1, method: 'card' })).statusCode).toBe(422);
    expect(sampleValue(await scrape(), 'billing_payments_total', { outcome: 'failed' }) - sampleValue(metricsBefore, 'billing_payments_total', { outcome: 'failed' })).toBe(1);
  });

  it('answers 409 for a key reused with another body or another invoice, storing nothing', async () => {
    const inv = await issuedInvoice(h, admin, aliceAccount, 1000);
    const other = await issuedInvoice(h, admin, aliceAccount, 1000);
    const key = randomUUID();
    body(await pay(alice, inv.id, { amountMinor: 100, method: 'card' }, key), 201);
    const before = await h.counts();
    body(await pay(alice, inv.id, { amountMinor: 101, method: 'card' }, key), 409);
    body(await pay(alice, inv.id, { amountMinor: 100, method: 'cash' }, key), 409);
    body(await pay(alice, other.id, { amountMinor: 100, method: 'card' }, key), 409);
    expect(await h.counts()).toEqual(before);
  });

  it('scopes keys to the caller: another user may use the same key string', async () => {
    const key = `shared-${randomUUID()}`;
    const a = await issuedInvoice(h, admin, aliceAccount, 500);
    const b = await issuedInvoice(h, admin, bobAccount, 500);
    const pa = body<Payment>(await pay(alice, a.id, { amountMinor: 500, method: 'card' }, key), 201).data;
    const pb = body<Payment>(await pay(bob, b.id, { amountMinor: 500, method: 'card' }, key), 201).data;
    expect(pa.id).not.toBe(pb.id);
  });

  it('requires a sane Idempotency-Key header', async () => {
    const inv = await issuedInvoice(h, admin, aliceAccount, 1000);
    const before = await h.counts();
    const missing = body<{ issues: Array<{ path: string }> }>(await pay(alice, inv.id, { amountMinor: 1, method: 'card' }, null), 400);
    expect(JSON.stringify(missing.data.issues)).toMatch(/idempotency-key/i);
    body(await pay(alice, inv.id, { amountMinor: 1, method: 'card' }, 'has a space'), 400);
    body(await pay(alice, inv.id, { amountMinor: 1, method: 'card' }, 'x'.repeat(256)), 400);
    expect(await h.counts()).toEqual(before);
  });

  const rawAmount = (amount: string) => `{"amountMinor":${amount},"method":"card"}`;
  it.each([
    ['a float', { amountMinor: 10.5, method: 'card' }, 'amountMinor'],
    ['a negative', { amountMinor: -1, method: 'card' }, 'amountMinor'],
    ['a string', { amountMinor: '100', method: 'card' }, 'amountMinor'],
    ['zero', { amountMinor: 0, method: 'card' }, 'amountMinor'],
    ['1e400', rawAmount('1e400'), 'amountMinor'],
    ['-0', rawAmount('-0'), 'amountMinor'],
    ['more than 2^53', rawAmount('9007199254740993'), 'amountMinor'],
    ['an unknown method', { amountMinor: 1, method: 'bitcoin' }, 'method'],
    ['a missing method', { amountMinor: 1 }, 'method'],
    ['an unknown field', { amountMinor: 1, method: 'card', currency: 'EUR' }, 'currency'],
  ])('refuses %s with a 400, storing nothing', async (_label, payload, path) => {
    const inv = await issuedInvoice(h, admin, aliceAccount, 1000);
    const before = await h.counts();
    const res = body<{ issues: Array<{ path: string }> }>(await pay(alice, inv.id, payload), 400);
    expect(res.data.issues.map((i) => i.path)).toContain(path);
    expect(await h.counts()).toEqual(before);
  });

  it('refuses with 422 overpaying and paying a draft, void or paid invoice, storing nothing', async () => {
    const issued = await issuedInvoice(h, admin, aliceAccount, 1000);
    const draft = await createInvoice(h, admin, aliceAccount, 1000);
    const voided = await issuedInvoice(h, admin, aliceAccount, 1000);
    body(await h.request('POST', `/api/v1/billing/invoices/${voided.id}/void`, admin), 200);
    const paid = await issuedInvoice(h, admin, aliceAccount, 300);
    body(await pay(alice, paid.id, { amountMinor: 300, method: 'cash' }), 201);

    const before = await h.counts();
    expect(body(await pay(alice, issued.id, { amountMinor: 1001, method: 'card' }), 422).message).toMatch(/exceeds what is due/);
    expect(body(await pay(alice, draft.id, { amountMinor: 1, method: 'card' }), 422).message).toMatch(/draft invoice cannot be paid/);
    body(await pay(alice, voided.id, { amountMinor: 1, method: 'card' }), 422);
    body(await pay(alice, paid.id, { amountMinor: 1, method: 'card' }), 422);
    expect(await h.counts()).toEqual(before);
    // The key of a refused request is not remembered: it works once the request is right.
    const key = randomUUID();
    body(await pay(alice, issued.id, { amountMinor: 5000, method: 'card' }, key), 422);
    body(await pay(alice, issued.id, { amountMinor: 5000, method: 'card' }, key), 422);
  });

  it('refuses to void a paid or partly paid invoice', async () => {
    const inv = await issuedInvoice(h, admin, aliceAccount, 1000);
    body(await pay(alice, inv.id, { amountMinor: 1, method: 'card' }), 201);
    expect(body(await h.request('POST', `/api/v1/billing/invoices/${inv.id}/void`, admin), 422).message).toMatch(/with payments/);
    body(await pay(alice, inv.id, { amountMinor: 999, method: 'card' }), 201);
    expect(body(await h.request('POST', `/api/v1/billing/invoices/${inv.id}/void`, admin), 422).message).toMatch(/paid invoice cannot be voided/);
  });

  it('hides other users’ invoices from payers (404, nothing stored); admins may pay any', async () => {
    const alices = await issuedInvoice(h, admin, aliceAccount, 1000);
    const before = await h.counts();
    body(await pay(bob, alices.id, { amountMinor: 100, method: 'card' }), 404);
    body(await pay(bob, randomUUID(), { amountMinor: 100, method: 'card' }), 404);
    expect(await h.counts()).toEqual(before);
    const byAdmin = body<Payment>(await pay(admin, alices.id, { amountMinor: 100, method: 'cash' }), 201).data;
    const [row] = await h.env.database.sql`select user_id, created_by from payments where id = ${byAdmin.id}`;
    expect(row).toEqual({ user_id: alice.id, created_by: admin.id });
  });

  it('creates one payment for ten concurrent requests with one key', async () => {
    const inv = await issuedInvoice(h, admin, aliceAccount, 1000);
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 10 }, () => pay(alice, inv.id, { amountMinor: 250, method: 'card' }, key)));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(results.map((r) => (r.json() as { data: Payment }).data.id));
    expect(ids.size).toBe(1);
    const [row] = await h.env.database.sql`select count(*)::int as n from payments where invoice_id = ${inv.id}`;
    expect(row?.n).toBe(1);
    expect(await invoice(inv.id)).toMatchObject({ amountPaidMinor: 250 });
  });

  it('lets exactly one of ten concurrent full payments with different keys succeed', async () => {
    const inv = await issuedInvoice(h, admin, aliceAccount, 1000);
    const results = await Promise.all(Array.from({ length: 10 }, () => pay(alice, inv.id, { amountMinor: 1000, method: 'card' })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 422, 422, 422, 422, 422, 422, 422, 422, 422]);
    const [row] = await h.env.database.sql`select count(*)::int as n, sum(amount_minor)::int as total from payments where invoice_id = ${inv.id}`;
    expect(row).toEqual({ n: 1, total: 1000 });
    expect(await invoice(inv.id)).toMatchObject({ status: 'paid', amountPaidMinor: 1000, amountDueMinor: 0 });
    const [events] = await h.env.database.sql`
      select count(*)::int as n from outbox where subject = ${invoicePaidV1.type} and payload->'data'->>'invoiceId' = ${inv.id}`;
    expect(events?.n).toBe(1);
  });

  it('forgets Idempotency-Keys past their retention and keeps the recent ones replaying', async () => {
    const [old, recent] = [randomUUID(), randomUUID()];
    const first = await issuedInvoice(h, admin, aliceAccount, 300);
    const second = await issuedInvoice(h, admin, aliceAccount, 300);
    body(await pay(alice, first.id, { amountMinor: 100, method: 'card' }, old), 201);
    const kept = body<Payment>(await pay(alice, second.id, { amountMinor: 100, method: 'card' }, recent), 201).data;
    await h.env.database.sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = ${old}`;

    const config = { ...h.env.config, billing: { idempotencyKeyRetentionMs: 24 * 3_600_000 } };
    await billingRetention({ db: h.env.database.db, config, logger: createLogger({ service: 'billing', level: 'silent' }) }, config).runOnce();

    const keys = await h.env.database.sql<{ key: string }[]>`select key from idempotency_keys where key in (${old}, ${recent})`;
    expect(keys.map((k) => k.key)).toEqual([recent]);
    expect(body<Payment>(await pay(alice, second.id, { amountMinor: 100, method: 'card' }, recent), 200).data.id).toBe(kept.id);
    // The payment a forgotten key made is billing's record: it stays.
    expect((await invoice(first.id)).amountPaidMinor).toBe(100);
  });

  it('observes each payment and paid event exactly once on the BILLING stream', async () => {
    for (const subject of [paymentReceivedV1.type, invoicePaidV1.type]) {
      const [row] = await h.env.database.sql`select count(*)::int as n from outbox where subject = ${subject}`;
      await waitFor(async () => (await h.billingEvents(subject)) === row?.n, { timeoutMs: 15_000 });
    }
  });
});
