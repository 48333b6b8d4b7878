import { randomUUID } from 'node:crypto';
import { userDeactivatedV1, userRegisteredV1, userUpdatedV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { refuseWrites } from '@platform/db-kit/testing';
import { waitFor } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingUserRepository } from '../src/data/billing-user-repository.js';
import type { BillingDeps } from '../src/deps.js';
import { applyUserEvent, unknownUser, type ProjectedUser, type UserEvent } from '../src/domain/user-projection.js';
import { openAccount as openAccountDirectly } from '../src/use-cases/open-account.js';
import { body, issuedInvoice, openAccount, startHarness, type Caller, type Harness } from './harness.js';

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);

/** Every order of `items` (n! of them). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('users projection (fed by users.user.*.v1)', () => {
  let h: Harness;
  let admin: Caller;
  let handled = 0;

  /** Publishes and waits until the consumer has recorded it (events are consumed in order). */
  const project = async (type: Parameters<Harness['publishUserEvent']>[0], data: Record<string, unknown>, occurredAt?: Date) => {
    await h.publishUserEvent(type, data, occurredAt);
    handled += 1;
    await h.waitForInbox(handled);
  };
  const projected = async (userId: string) =>
    (await h.env.database.sql`select email, full_name, role, is_active, source, updated_at from billing_users where user_id = ${userId}`)[0];

  beforeAll(async () => {
    h = await startHarness();
    admin = await h.caller('admin');
  });
  afterAll(async () => h?.close());

  it('applies the same event once, however often it is delivered', async () => {
    const userId = randomUUID();
    const event = sampleEvent(userRegisteredV1.type, { userId, email: 'once@example.com' });
    const subject = h.env.messaging.subject(event.type);
    await h.env.messaging.js.publish(subject, JSON.stringify(event), { msgID: event.id });
    handled += 1;
    await h.waitForInbox(handled);
    const first = await projected(userId);
    // Redelivery under another message id gets past JetStream's de-duplication: the inbox catches it.
    await h.env.messaging.js.publish(subject, JSON.stringify(event), { msgID: randomUUID() });
    await project(userRegisteredV1.type, { userId: randomUUID() }); // a later event: proves the duplicate was consumed
    expect(await projected(userId)).toEqual(first);
    const [row] = await h.env.database.sql`select count(*)::int as n from inbox where event_id = ${event.id}`;
    expect(row?.n).toBe(1);
  });

  it('ignores an update older than the one already applied', async () => {
    const userId = randomUUID();
    await project(userRegisteredV1.type, { userId, email: 'v1@example.com', fullName: 'Version One' }, at(10));
    await project(userUpdatedV1.type, { userId, email: 'v3@example.com', fullName: 'Version Three', role: 'user' }, at(1));
    await project(userUpdatedV1.type, { userId, email: 'v2@example.com', fullName: 'Version Two', role: 'user' }, at(5));
    expect(await projected(userId)).toMatchObject({ email: 'v3@example.com', full_name: 'Version Three', is_active: true, source: 'event' });
  });

  it('leaves the row untouched (updated_at included) when an event older than what it holds arrives', async () => {
    const userId = randomUUID();
    await project(userRegisteredV1.type, { userId, email: 'new@example.com', fullName: 'Newest', role: 'moderator' }, at(1));
    const newest = await projected(userId);
    await project(userUpdatedV1.type, { userId, email: 'old@example.com', fullName: 'Older', role: 'user', isActive: false }, at(5));
    await project(userDeactivatedV1.type, { userId }, at(3));
    expect(await projected(userId)).toEqual(newest);
    expect(newest).toMatchObject({ email: 'new@example.com', role: 'moderator', is_active: true });
  });

  it('upserts to what applyUserEvent computes, for every delivery order, ties and a token-first row included', async () => {
    const t = (second: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, second));
    const snap = (second: number, isActive: boolean, tag: string): UserEvent => ({
      kind: 'snapshot',
      occurredAt: t(second),
      email: `${tag}@example.com`,
      fullName: `Name ${tag}`,
      role: tag === 'b' ? 'admin' : 'user',
      isActive,
    });
    const off = (second: number): UserEvent => ({ kind: 'deactivated', occurredAt: t(second) });
    // Two snapshots and a deactivation on one instant (ties both ways) and an older snapshot.
    const events = [snap(1, true, 'a'), snap(2, false, 'b'), off(2), snap(2, true, 'c')];
    const db = h.env.database.db as BillingDeps['db'];
    const toExpected = (u: ProjectedUser) => ({ ...u, profileAt: u.profileAt?.getTime() ?? null, statusAt: u.statusAt?.getTime() ?? null });
    let checked = 0;
    for (const order of permutations(events)) {
      for (const fromToken of [false, true]) {
        const userId = randomUUID();
        await db.transaction(async (tx) => {
          const users = billingUserRepository(tx);
          let expected: ProjectedUser = unknownUser;
          if (fromToken) {
            await users.ensure(userId, 'token', 'moderator');
            expected = { ...unknownUser, role: 'moderator' };
          }
          // After every step, not only at the end: the newest event would hide how ties went.
          for (const [step, event] of order.entries()) {
            await users.project(userId, event);
            expected = applyUserEvent(expected, event);
            const row = await users.find(userId);
            expect(row && toExpected(row), JSON.stringify({ order, fromToken, step })).toEqual(toExpected(expected));
          }
        });
        checked += 1;
      }
    }
    expect(checked).toBe(48);
  }, 60_000); // 48 transactions of 8 statements: more than the default 20 s on a loaded machine

  it('lets a deactivation win over an older registration that arrives after it', async () => {
    const userId = randomUUID();
    await project(userDeactivatedV1.type, { userId }, at(1));
    await project(userRegisteredV1.type, { userId, email: 'late@example.com' }, at(5));
    expect(await projected(userId)).toMatchObject({ email: 'late@example.com', is_active: false });
  });

  it('completes a row first created from a token when the registration arrives', async () => {
    const user = await h.caller();
    await openAccount(h, user);
    expect(await projected(user.id)).toMatchObject({ email: null, source: 'token', is_active: true });
    await project(userRegisteredV1.type, { userId: user.id, email: 'token-first@example.com', fullName: 'Token First' }, at(1));
    expect(await projected(user.id)).toMatchObject({ email: 'token-first@example.com', full_name: 'Token First', source: 'event' });
  });

  it('refuses a deactivated user’s token within seconds, and their invoices cannot be paid (422)', async () => {
    const user = await h.caller();
    await project(userRegisteredV1.type, { userId: user.id, email: 'soon-gone@example.com' });
    const accountId = await openAccount(h, user);
    const invoice = await issuedInvoice(h, admin, accountId, 1000);
    body(await h.request('GET', '/api/v1/billing/accounts/me', user), 200);

    await project(userDeactivatedV1.type, { userId: user.id });
    const refused = body(await h.request('GET', '/api/v1/billing/accounts/me', user), 401);
    expect(refused.message).toMatch(/revoked/);
    body(await h.request('POST', `/api/v1/billing/invoices/${invoice.id}/payments`, user, { amountMinor: 1, method: 'card' }, { 'idempotency-key': randomUUID() }), 401);

    const before = await h.counts();
    const res = await h.request('POST', `/api/v1/billing/invoices/${invoice.id}/payments`, admin, { amountMinor: 1000, method: 'card' }, { 'idempotency-key': randomUUID() });
    expect(body(res, 422).message).toMatch(/deactivated/);
    expect(await h.counts()).toEqual(before);
  });

  it('refuses to open an account for a deactivated user (422), even past the token check', async () => {
    const user = await h.caller();
    await project(userRegisteredV1.type, { userId: user.id });
    await project(userDeactivatedV1.type, { userId: user.id });
    body(await h.request('POST', '/api/v1/billing/accounts', user, { currency: 'EUR' }), 401);
    // The use case re-checks under a row lock, for a deactivation landing between the token check and the insert.
    const before = await h.counts();
    await expect(openAccountDirectly({ db: h.env.database.db as BillingDeps['db'] }, { sub: user.id, role: 'user' }, { currency: 'EUR' }, 'test')).rejects.toMatchObject({
      status: 422,
      code: 'UNPROCESSABLE',
    });
    expect(await h.counts()).toEqual(before);
  });

  it('accepts a re-activation newer than the deactivation', async () => {
    const user = await h.caller();
    await project(userRegisteredV1.type, { userId: user.id }, at(10));
    await project(userDeactivatedV1.type, { userId: user.id }, at(5));
    body(await h.request('GET', '/api/v1/billing/accounts/me', user), 401);
    await project(userUpdatedV1.type, { userId: user.id, isActive: true, role: 'user' }, at(1));
    body(await h.request('GET', '/api/v1/billing/accounts/me', user), 404);
  });

  it('refuses a demoted admin’s token as soon as users.user.updated.v1 is projected; a fresh token works', async () => {
    const demoted = await h.caller('admin');
    await project(userRegisteredV1.type, { userId: demoted.id, role: 'admin' }, at(10));
    body(await h.request('GET', '/api/v1/billing/accounts', demoted), 200);

    await project(userUpdatedV1.type, { userId: demoted.id, role: 'user', isActive: true });
    expect(body(await h.request('GET', '/api/v1/billing/accounts', demoted), 401).message).toMatch(/revoked/);
    body(await h.request('GET', '/api/v1/billing/accounts/me', demoted), 401);

    const fresh = await h.env.token({ sub: demoted.id, role: 'user' });
    const asUser = { id: demoted.id, token: fresh, headers: { authorization: `Bearer ${fresh}` } };
    body(await h.request('GET', '/api/v1/billing/accounts/me', asUser), 404);
    body(await h.request('GET', '/api/v1/billing/accounts', asUser), 403);
  });

  it('refuses a promoted user’s old token once the promotion is projected', async () => {
    const promoted = await h.caller('user');
    await project(userRegisteredV1.type, { userId: promoted.id, role: 'user' }, at(10));
    body(await h.request('GET', '/api/v1/billing/accounts/me', promoted), 404);
    await project(userUpdatedV1.type, { userId: promoted.id, role: 'moderator', isActive: true });
    body(await h.request('GET', '/api/v1/billing/accounts/me', promoted), 401);
  });

  it('accepts a token issued after a role change billing has not projected yet', async () => {
    // The user was promoted a moment ago; billing still knows them as a user from an older event.
    const promoted = await h.caller('admin');
    await project(userRegisteredV1.type, { userId: promoted.id, role: 'user' }, at(10));
    body(await h.request('GET', '/api/v1/billing/accounts', promoted), 200);
    await project(userUpdatedV1.type, { userId: promoted.id, role: 'admin', isActive: true }, at(1));
    body(await h.request('GET', '/api/v1/billing/accounts', promoted), 200);
  });

  it('refuses a token whose subject is not a platform user id', async () => {
    const token = await h.env.token({ sub: 'not-a-uuid', role: 'user' });
    body(await h.request('GET', '/api/v1/billing/accounts/me', { id: 'x', token, headers: { authorization: `Bearer ${token}` } }), 401);
  });

  it('retries a projection the database refuses (sent with the COMMIT): neither it nor its inbox mark is kept until it applies', async () => {
    const sql = h.env.database.sql;
    const refusal = await refuseWrites(sql, 'billing_users', "new.email = 'refused@example.com'");
    const attempts = refusal.attempts;
    const userId = randomUUID();
    const refused = await h.publishUserEvent(userRegisteredV1.type, { userId, email: 'refused@example.com' });
    // The second attempt (after the first's backoff) was refused too: the failure counted against this event.
    await waitFor(async () => (await attempts()) >= 2, { timeoutMs: 10_000 });
    const later = randomUUID();
    await project(userRegisteredV1.type, { userId: later }); // the consumer went on with the next event
    expect(await projected(userId)).toBeUndefined();
    expect((await sql`select count(*)::int as n from inbox where event_id = ${refused}`)[0]?.n).toBe(0);

    await refusal.lift();
    handled += 1;
    await h.waitForInbox(handled);
    expect(await projected(userId)).toMatchObject({ email: 'refused@example.com', source: 'event' });
    expect((await sql`select count(*)::int as n from inbox where event_id = ${refused}`)[0]?.n).toBe(1);
  });

  it('dead-letters an invalid users event and keeps consuming', async () => {
    const bad = { ...sampleEvent(userRegisteredV1.type), data: { userId: 'nope' } };
    await h.env.messaging.js.publish(h.env.messaging.subject(bad.type), JSON.stringify(bad), { msgID: bad.id });
    const userId = randomUUID();
    await project(userRegisteredV1.type, { userId });
    await waitFor(async () => (await projected(userId)) !== undefined);
  });
});
