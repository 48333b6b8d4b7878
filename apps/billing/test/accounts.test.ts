import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCreatedV1, userRegisteredV1 } from '@platform/contracts';
import { waitFor } from '@platform/messaging/testing';
import { body, startHarness, type Caller, type Harness } from './harness.js';

interface Account {
  id: string;
  userId: string;
  currency: string;
  billingEmail: string | null;
  companyName: string | null;
  createdAt: string;
}

const url = '/api/v1/billing/accounts';

describe('billing accounts', () => {
  let h: Harness;
  let admin: Caller;

  beforeAll(async () => {
    h = await startHarness();
    admin = await h.caller('admin');
  });
  afterAll(async () => h?.close());

  it('opens an account for a user billing has not heard of yet, billingEmail null unless given', async () => {
    const user = await h.caller();
    const res = await h.request('POST', url, user, { currency: 'EUR', companyName: '  Acme Ltd ' });
    const account = body<Account>(res, 201).data;
    expect(account).toEqual({
      id: expect.any(String),
      userId: user.id,
      currency: 'EUR',
      billingEmail: null,
      companyName: 'Acme Ltd',
      createdAt: expect.stringMatching(/Z$/),
    });
    const [row] = await h.env.database.sql`select source, role, is_active from billing_users where user_id = ${user.id}`;
    expect(row).toEqual({ source: 'token', role: 'user', is_active: true });
  });

  it('defaults billingEmail to the e-mail learnt from the registration event; an explicit one wins', async () => {
    const known = await h.caller();
    await h.publishUserEvent(userRegisteredV1.type, { userId: known.id, email: 'grace@example.com' });
    await waitFor(async () => (await h.env.database.sql`select 1 from billing_users where user_id = ${known.id} and email is not null`).length === 1, { timeoutMs: 15_000 });
    expect(body<Account>(await h.request('POST', url, known, { currency: 'USD' }), 201).data.billingEmail).toBe('grace@example.com');

    const explicit = await h.caller();
    const res = await h.request('POST', url, explicit, { currency: 'JPY', billingEmail: ' Billing@Example.COM ' });
    expect(body<Account>(res, 201).data).toMatchObject({ currency: 'JPY', billingEmail: 'billing@example.com' });
  });

  it('refuses a second account (409) and reads the own one at /me', async () => {
    const user = await h.caller();
    expect(body(await h.request('GET', `${url}/me`, user), 404).data).toBeNull();
    const first = body<Account>(await h.request('POST', url, user, { currency: 'EUR' }), 201).data;
    const before = await h.counts();
    body(await h.request('POST', url, user, { currency: 'USD' }), 409);
    expect(await h.counts()).toEqual(before);
    expect(body<Account>(await h.request('GET', `${url}/me`, user), 200).data).toEqual(first);
    // Microseconds in the table: the millisecond JavaScript's Date keeps, as the write answered.
    await h.env.database.sql`update accounts set created_at = '2026-01-02 03:04:05.678999+00' where id = ${first.id}`;
    expect(body<Account>(await h.request('GET', `${url}/me`, user), 200).data).toEqual({ ...first, createdAt: '2026-01-02T03:04:05.678Z' });
  });

  it('opens one account when the same user races ten requests', async () => {
    const user = await h.caller();
    const results = await Promise.all(Array.from({ length: 10 }, () => h.request('POST', url, user, { currency: 'EUR' })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, ...Array(9).fill(409)]);
    const [row] = await h.env.database.sql`select count(*)::int as n from accounts where user_id = ${user.id}`;
    expect(row?.n).toBe(1);
  });

  it.each([
    ['lower-case currency', { currency: 'eur' }, 'currency'],
    ['unknown currency', { currency: 'XYZ' }, 'currency'],
    ['missing currency', {}, 'currency'],
    ['numeric currency', { currency: 978 }, 'currency'],
    ['unknown field', { currency: 'EUR', userId: '00000000-0000-4000-8000-000000000000' }, 'userId'],
    ['bad e-mail', { currency: 'EUR', billingEmail: 'not-an-email' }, 'billingEmail'],
    ['NUL in company name', { currency: 'EUR', companyName: 'Acme\u0000' }, 'companyName'],
    ['empty company name', { currency: 'EUR', companyName: '   ' }, 'companyName'],
    ['CR/LF in company name', { currency: 'EUR', companyName: 'Acme\r\nBcc: all@example.com' }, 'companyName'],
    ['a right-to-left override in company name', { currency: 'EUR', companyName: 'Acme \u202Efdp.exe' }, 'companyName'],
    ['an escape sequence in company name', { currency: 'EUR', companyName: 'Acme \u001b[31m' }, 'companyName'],
  ])('refuses %s with a 400 naming the field, storing nothing', async (_label, payload, path) => {
    const user = await h.caller();
    const before = await h.counts();
    const res = body<{ issues: Array<{ path: string }> }>(await h.request('POST', url, user, payload), 400);
    expect(res.data.issues.map((i) => i.path)).toContain(path);
    expect(await h.counts()).toEqual(before);
  });

  it('refuses malformed JSON and a non-JSON body', async () => {
    const user = await h.caller();
    body(await h.request('POST', url, user, '{"currency":'), 400);
    const res = await h.app.inject({ method: 'POST', url, headers: { ...user.headers, 'content-type': 'text/plain' }, payload: 'EUR' });
    body(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('needs a valid token', async () => {
    body(await h.request('POST', url, null, { currency: 'EUR' }), 401);
    body(await h.request('GET', `${url}/me`, { id: 'x', token: 'x', headers: { authorization: 'Bearer nope' } }), 401);
  });

  it('lists every account to admins only, paginated', async () => {
    const user = await h.caller();
    body(await h.request('GET', url, user), 403);
    const first = body<Account[]>(await h.request('GET', `${url}?page=1&pageSize=2`, admin), 200);
    expect(first.data).toHaveLength(2);
    const [{ n }] = (await h.env.database.sql`select count(*)::int as n from accounts`) as unknown as [{ n: number }];
    expect(first.meta).toEqual({ page: 1, pageSize: 2, total: n, totalPages: Math.ceil(n / 2) });
    body(await h.request('GET', `${url}?page=0`, admin), 400);
    body(await h.request('GET', `${url}?pageSize=101`, admin), 400);
    const unknown = body<{ issues: unknown[] }>(await h.request('GET', `${url}?userId=${user.id}`, admin), 400);
    expect(unknown.data.issues).toEqual([{ path: 'userId', message: 'Unknown field' }]);
    body(await h.request('GET', `${url}/me?ownerId=${user.id}`, user), 400);
  });

  it(`publishes ${accountCreatedV1.type} once per account, with the request id as correlation`, async () => {
    const user = await h.caller();
    const res = await h.request('POST', url, user, { currency: 'GBP' }, { 'x-request-id': 'acct-corr-1' });
    const account = body<Account>(res, 201).data;
    const [row] = await h.env.database.sql<{ payload: { correlationId: string; data: unknown } }[]>`
      select payload from outbox where subject = ${accountCreatedV1.type} and payload->'data'->>'accountId' = ${account.id}`;
    expect(row?.payload).toMatchObject({ correlationId: 'acct-corr-1', data: { accountId: account.id, userId: user.id, currency: 'GBP' } });
    const [{ n }] = (await h.env.database.sql`select count(*)::int as n from accounts`) as unknown as [{ n: number }];
    await waitFor(async () => (await h.billingEvents(accountCreatedV1.type)) === n, { timeoutMs: 15_000 });
  });
});
