import { invoiceIssuedV1, invoiceVoidedV1 } from '@platform/contracts';
import { waitFor } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, createInvoice, issuedInvoice, openAccount, startHarness, type Caller, type Harness, type InvoiceBody } from './harness.js';

const url = '/api/v1/billing/invoices';
const line = { description: 'Seat licence', quantity: 3, unitAmountMinor: 1999 };

describe('billing invoices', () => {
  let h: Harness;
  let admin: Caller;
  let alice: Caller;
  let bob: Caller;
  let aliceAccount: string;
  let bobAccount: string;

  beforeAll(async () => {
    h = await startHarness();
    admin = await h.caller('admin');
    [alice, bob] = await Promise.all([h.caller(), h.caller()]);
    aliceAccount = await openAccount(h, alice, 'EUR');
    bobAccount = await openAccount(h, bob, 'JPY');
  });
  afterAll(async () => h?.close());

  it('creates a draft with line amounts, total and number computed by the service, in the account currency', async () => {
    const res = await h.request('POST', url, admin, {
      accountId: aliceAccount,
      dueDate: '2030-02-28',
      lines: [line, { description: 'Setup', quantity: 1, unitAmountMinor: 0 }, { description: 'Big', quantity: 10_000, unitAmountMinor: 10_000_000_000 }],
    });
    const invoice = body<InvoiceBody>(res, 201).data;
    expect(invoice).toMatchObject({
      number: expect.stringMatching(/^INV-\d{6}$/),
      accountId: aliceAccount,
      userId: alice.id,
      status: 'draft',
      currency: 'EUR',
      totalMinor: 5997 + 100_000_000_000_000,
      amountPaidMinor: 0,
      amountDueMinor: 5997 + 100_000_000_000_000,
      dueDate: '2030-02-28',
      issuedAt: null,
      paidAt: null,
      lines: [
        { ...line, amountMinor: 5997 },
        { description: 'Setup', quantity: 1, unitAmountMinor: 0, amountMinor: 0 },
        { description: 'Big', quantity: 10_000, unitAmountMinor: 10_000_000_000, amountMinor: 100_000_000_000_000 },
      ],
    });
    const [row] = await h.env.database.sql`select total_minor::text as total from invoices where id = ${invoice.id}`;
    expect(row?.total).toBe('100000000005997');
  });

  it('numbers invoices uniquely and without gaps under 20 concurrent creations', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.request('POST', url, admin, { accountId: i % 2 ? aliceAccount : bobAccount, dueDate: '2030-01-31', lines: [line] })),
    );
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    const rows = await h.env.database.sql<{ number: string }[]>`select number from invoices order by number`;
    const sequence = rows.map((r) => Number(r.number.slice(4)));
    expect(sequence).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
  });

  it('refuses drafts from non-admins', async () => {
    body(await h.request('POST', url, alice, { accountId: aliceAccount, dueDate: '2030-01-31', lines: [line] }), 403);
    body(await h.request('POST', url, null, { accountId: aliceAccount, dueDate: '2030-01-31', lines: [line] }), 401);
  });

  const valid = () => ({ accountId: aliceAccount, dueDate: '2030-01-31', lines: [line] });
  const withLine = (patch: Record<string, unknown>) => ({ ...valid(), lines: [{ ...line, ...patch }] });
  const raw = (unit: string) => `{"accountId":"${aliceAccount}","dueDate":"2030-01-31","lines":[{"description":"x","quantity":1,"unitAmountMinor":${unit}}]}`;

  it.each([
    ['client-set totalMinor', () => ({ ...valid(), totalMinor: 1 }), 'totalMinor'],
    ['client-set status', () => ({ ...valid(), status: 'paid' }), 'status'],
    ['client-set number', () => ({ ...valid(), number: 'INV-999999' }), 'number'],
    ['client-set userId', () => ({ ...valid(), userId: alice.id }), 'userId'],
    ['client-set currency', () => ({ ...valid(), currency: 'USD' }), 'currency'],
    ['client-set line amount', () => withLine({ amountMinor: 1 }), 'lines.0.amountMinor'],
    ['zero lines', () => ({ ...valid(), lines: [] }), 'lines'],
    ['101 lines', () => ({ ...valid(), lines: Array(101).fill(line) }), 'lines'],
    ['quantity 0', () => withLine({ quantity: 0 }), 'lines.0.quantity'],
    ['quantity 10,001', () => withLine({ quantity: 10_001 }), 'lines.0.quantity'],
    ['fractional quantity', () => withLine({ quantity: 1.5 }), 'lines.0.quantity'],
    ['float amount', () => withLine({ unitAmountMinor: 10.5 }), 'lines.0.unitAmountMinor'],
    ['negative amount', () => withLine({ unitAmountMinor: -1 }), 'lines.0.unitAmountMinor'],
    ['string amount', () => withLine({ unitAmountMinor: '100' }), 'lines.0.unitAmountMinor'],
    ['amount over 10^10', () => withLine({ unitAmountMinor: 10_000_000_001 }), 'lines.0.unitAmountMinor'],
    ['amount over 2^53', () => raw('9007199254740993'), 'lines.0.unitAmountMinor'],
    ['amount 1e400', () => raw('1e400'), 'lines.0.unitAmountMinor'],
    ['amount -0', () => raw('-0'), 'lines.0.unitAmountMinor'],
    ['NUL in description', () => withLine({ description: 'bad\u0000text' }), 'lines.0.description'],
    ['empty description', () => withLine({ description: '' }), 'lines.0.description'],
    ['501-char description', () => withLine({ description: 'x'.repeat(501) }), 'lines.0.description'],
    ['a right-to-left override in a description', () => withLine({ description: 'Consulting \u202Egnp.exe' }), 'lines.0.description'],
    ['an escape sequence in a description', () => withLine({ description: 'Consulting \u001b[2J' }), 'lines.0.description'],
    ['a C1 control in a description', () => withLine({ description: 'Consulting \u009b' }), 'lines.0.description'],
    ['due date that is not a date', () => ({ ...valid(), dueDate: 'next tuesday' }), 'dueDate'],
    ['due date 30 February', () => ({ ...valid(), dueDate: '2030-02-30' }), 'dueDate'],
    ['due date as a timestamp', () => ({ ...valid(), dueDate: '2030-01-31T00:00:00Z' }), 'dueDate'],
    ['accountId not a UUID', () => ({ ...valid(), accountId: 'acct-1' }), 'accountId'],
  ])('refuses %s with a 400 naming it, storing nothing', async (_label, payload, path) => {
    const before = await h.counts();
    const res = body<{ issues: Array<{ path: string }> }>(await h.request('POST', url, admin, payload()), 400);
    expect(res.data.issues.map((i) => i.path)).toContain(path);
    expect(await h.counts()).toEqual(before);
  });

  it('refuses with 422 an unknown account and a total past 2^53, storing nothing', async () => {
    const before = await h.counts();
    body(await h.request('POST', url, admin, { ...valid(), accountId: '00000000-0000-4000-8000-000000000000' }), 422);
    const huge = { description: 'max', quantity: 10_000, unitAmountMinor: 10_000_000_000 };
    const res = body(await h.request('POST', url, admin, { ...valid(), lines: Array(91).fill(huge) }), 422);
    expect(res.message).toMatch(/total exceeds/);
    expect(await h.counts()).toEqual(before);
  });

  it(`issues a draft once, publishing ${invoiceIssuedV1.type}`, async () => {
    const draft = await createInvoice(h, admin, bobAccount, 500, 2);
    const issued = body<InvoiceBody>(await h.request('POST', `${url}/${draft.id}/issue`, admin, undefined, { 'x-request-id': 'issue-corr' }), 200).data;
    expect(issued).toMatchObject({ id: draft.id, status: 'issued', currency: 'JPY', totalMinor: 1000, issuedAt: expect.stringMatching(/Z$/) });
    const before = await h.counts();
    expect(body(await h.request('POST', `${url}/${draft.id}/issue`, admin), 422).message).toMatch(/issued invoice cannot be issued/);
    expect(await h.counts()).toEqual(before);
    const events = await h.env.database.sql<{ payload: { correlationId: string; data: unknown } }[]>`
      select payload from outbox where subject = ${invoiceIssuedV1.type} and payload->'data'->>'invoiceId' = ${draft.id}`;
    expect(events).toHaveLength(1);
    expect(events[0]?.payload).toMatchObject({
      correlationId: 'issue-corr',
      data: { invoiceId: draft.id, number: draft.number, accountId: bobAccount, userId: bob.id, currency: 'JPY', totalMinor: 1000, dueDate: '2030-01-31' },
    });
  });

  it('settles an invoice of nothing when it is issued', async () => {
    const draft = await createInvoice(h, admin, aliceAccount, 0);
    const issued = body<InvoiceBody>(await h.request('POST', `${url}/${draft.id}/issue`, admin), 200).data;
    expect(issued).toMatchObject({ status: 'paid', totalMinor: 0, amountDueMinor: 0, paidAt: expect.any(String) });
  });

  it('voids drafts and issued invoices, not void ones; void invoices cannot be issued', async () => {
    const draft = await createInvoice(h, admin, aliceAccount);
    expect(body<InvoiceBody>(await h.request('POST', `${url}/${draft.id}/void`, admin), 200).data.status).toBe('void');
    const issued = await issuedInvoice(h, admin, aliceAccount);
    expect(body<InvoiceBody>(await h.request('POST', `${url}/${issued.id}/void`, admin), 200).data.status).toBe('void');
    const before = await h.counts();
    body(await h.request('POST', `${url}/${issued.id}/void`, admin), 422);
    body(await h.request('POST', `${url}/${draft.id}/issue`, admin), 422);
    expect(await h.counts()).toEqual(before);
    const [{ n }] = (await h.env.database.sql`select count(*)::int as n from outbox where subject = ${invoiceVoidedV1.type}`) as unknown as [{ n: number }];
    expect(n).toBe(2);
  });

  it('lets only admins issue or void, and answers 404 / 400 for unknown or malformed ids', async () => {
    const draft = await createInvoice(h, admin, aliceAccount);
    body(await h.request('POST', `${url}/${draft.id}/issue`, alice), 403);
    body(await h.request('POST', `${url}/${draft.id}/void`, alice), 403);
    body(await h.request('POST', `${url}/00000000-0000-4000-8000-000000000000/issue`, admin), 404);
    body(await h.request('POST', `${url}/not-a-uuid/void`, admin), 400);
  });

  it('shows users their own invoices only (404 for others), admins all, with a status filter', async () => {
    const bobs = await issuedInvoice(h, admin, bobAccount);
    body(await h.request('GET', `${url}/${bobs.id}`, alice), 404);
    expect(body<InvoiceBody>(await h.request('GET', `${url}/${bobs.id}`, bob), 200).data.id).toBe(bobs.id);
    expect(body<InvoiceBody>(await h.request('GET', `${url}/${bobs.id}`, admin), 200).data.lines).toHaveLength(1);
    // Lines come back in their order, in the list as in the single read, whoever asks.
    const lines = ['First', 'Second', 'Third'].map((description, i) => ({ description, quantity: i + 1, unitAmountMinor: 100 }));
    const three = body<InvoiceBody>(await h.request('POST', url, admin, { accountId: bobAccount, dueDate: '2030-01-31', lines }), 201).data;
    const expected = lines.map((l) => ({ ...l, amountMinor: l.quantity * 100 }));
    expect(body<InvoiceBody>(await h.request('GET', `${url}/${three.id}`, bob), 200).data.lines).toEqual(expected);
    const bobsList = body<InvoiceBody[]>(await h.request('GET', `${url}?pageSize=100`, bob), 200).data;
    expect(bobsList.find((i) => i.id === three.id)?.lines).toEqual(expected);

    const aliceList = body<InvoiceBody[]>(await h.request('GET', `${url}?pageSize=100`, alice), 200);
    expect(aliceList.data.length).toBeGreaterThan(0);
    expect(aliceList.data.every((i) => i.userId === alice.id)).toBe(true);
    const [{ n }] = (await h.env.database.sql`select count(*)::int as n from invoices where user_id = ${alice.id}`) as unknown as [{ n: number }];
    expect(aliceList.meta?.total).toBe(n);

    const all = body<InvoiceBody[]>(await h.request('GET', `${url}?pageSize=5&page=2`, admin), 200);
    const [{ total }] = (await h.env.database.sql`select count(*)::int as total from invoices`) as unknown as [{ total: number }];
    expect(all.meta).toEqual({ page: 2, pageSize: 5, total, totalPages: Math.ceil(total / 5) });

    // Past the last page: no rows to carry the window count, the total is still the real one.
    const past = body<InvoiceBody[]>(await h.request('GET', `${url}?pageSize=100&page=50`, alice), 200);
    expect(past.data).toEqual([]);
    expect(past.meta?.total).toBe(n);
    const [{ none }] = (await h.env.database.sql`select count(*)::int as none from invoices where user_id = ${bob.id} and status = 'void'`) as unknown as [{ none: number }];
    expect(body<InvoiceBody[]>(await h.request('GET', `${url}?status=void&page=3`, bob), 200).meta?.total).toBe(none);

    const issuedOnly = body<InvoiceBody[]>(await h.request('GET', `${url}?status=issued&pageSize=100`, admin), 200);
    expect(issuedOnly.data.length).toBeGreaterThan(0);
    expect(issuedOnly.data.every((i) => i.status === 'issued')).toBe(true);
    body(await h.request('GET', `${url}?status=overdue`, admin), 400);
    // Unknown parameters are refused, never silently ignored (a filter the caller thinks applies).
    const unknown = body<{ issues: unknown[] }>(await h.request('GET', `${url}?ownerId=${bob.id}`, alice), 400);
    expect(unknown.data.issues).toEqual([{ path: 'ownerId', message: 'Unknown field' }]);
    body(await h.request('GET', url, null), 401);
  });

  it('reads an invoice as its writes answered it, timestamps in ISO 8601 UTC truncated to the millisecond', async () => {
    const issued = await issuedInvoice(h, admin, aliceAccount, 5000);
    const pay = (amountMinor: number, key: string) =>
      h.request('POST', `${url}/${issued.id}/payments`, alice, { amountMinor, method: 'card' }, { 'idempotency-key': key });
    body(await pay(2000, `part-${issued.id}`), 201);
    const read = async () => body<InvoiceBody>(await h.request('GET', `${url}/${issued.id}`, alice), 200).data;
    const listed = async () => body<InvoiceBody[]>(await h.request('GET', `${url}?pageSize=100`, alice), 200).data.find((i) => i.id === issued.id);
    const partlyPaid = await read();
    expect(partlyPaid).toEqual({ ...issued, amountPaidMinor: 2000, amountDueMinor: 3000 });
    expect(await listed()).toEqual(partlyPaid);
    body(await pay(3000, `rest-${issued.id}`), 201);
    const paid = await read();
    expect(paid).toMatchObject({ status: 'paid', amountPaidMinor: 5000, amountDueMinor: 0, paidAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    expect(Object.keys(paid).sort()).toEqual(Object.keys(issued).sort());
    // Microseconds in the table: the same millisecond JavaScript's Date (what the writes answer with) keeps.
    await h.env.database.sql`update invoices set created_at = '2026-01-02 03:04:05.678999+00', issued_at = '1999-12-31 23:59:59.000001+00', paid_at = '2030-06-30 12:00:00+02' where id = ${issued.id}`;
    const precise = { createdAt: '2026-01-02T03:04:05.678Z', issuedAt: '1999-12-31T23:59:59.000Z', paidAt: '2030-06-30T10:00:00.000Z' };
    expect(await read()).toMatchObject(precise);
    expect(await listed()).toMatchObject(precise);
  });

  it('delivers each issued and voided event once to the BILLING stream', async () => {
    const counts = async (subject: string) =>
      ((await h.env.database.sql`select count(*)::int as n from outbox where subject = ${subject}`) as unknown as [{ n: number }])[0].n;
    for (const subject of [invoiceIssuedV1.type, invoiceVoidedV1.type]) {
      const expected = await counts(subject);
      await waitFor(async () => (await h.billingEvents(subject)) === expected, { timeoutMs: 15_000 });
    }
  });
});
