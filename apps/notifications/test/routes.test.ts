import { randomUUID } from 'node:crypto';
import { userDeactivatedV1, userRegisteredV1, userUpdatedV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { bearer, expectEnvelope } from '@platform/http-kit/testing';
import { waitFor } from '@platform/messaging/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveriesRepository } from '../src/data/deliveries-repository.js';
import { notificationsRepository } from '../src/data/notifications-repository.js';
import { deliveries, notifications, preferences } from '../src/data/schema.js';
import { createHarness, type Harness } from './support/harness.js';

let h: Harness;
const alice = randomUUID();
const bob = randomUUID();
let aliceToken: string;
let bobToken: string;
let adminToken: string;

const request = (method: 'GET' | 'POST' | 'PUT', url: string, token?: string, payload?: unknown) =>
  h.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload === undefined ? {} : { payload: payload as object }) });

/** Notifications written straight to the table, with distinct times so the order is known. */
async function seed(userId: string, count: number, channel: 'in_app' | 'email' = 'in_app') {
  const repo = notificationsRepository(h.env.database.db);
  const rows = [];
  for (let i = 0; i < count; i++) {
    rows.push(await repo.insertOnce({
      userId, channel, template: 'invoice_issued', title: `Title ${i}`, body: `Body ${i}`,
      sourceEventId: randomUUID(), createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, i)),
    }));
  }
  return rows.map((r) => r!);
}

beforeAll(async () => {
  h = await createHarness();
  [aliceToken, bobToken, adminToken] = await Promise.all([
    h.env.token({ sub: alice, role: 'user' }),
    h.env.token({ sub: bob, role: 'user' }),
    h.env.token({ sub: randomUUID(), role: 'admin' }),
  ]);
});

afterAll(async () => {
  await h?.close();
});

describe('GET /api/v1/notifications', () => {
  it('lists own in-app notifications, newest first, paginated, with the unread filter', async () => {
    const rows = await seed(alice, 3);
    await seed(alice, 1, 'email'); // e-mail copies are not in the in-app list
    await seed(bob, 2);
    const res = await request('GET', '/api/v1/notifications?pageSize=2', aliceToken);
    const body = expectEnvelope(res, { status: 200, code: 'SUCCESS', module: 'notifications' }) as { data: Array<Record<string, unknown>>; meta: unknown };
    expect(body.meta).toEqual({ page: 1, pageSize: 2, total: 3, totalPages: 2 });
    expect(body.data.map((n) => n.title)).toEqual(['Title 2', 'Title 1']);
    expect(body.data[0]).toEqual({
      id: rows[2]!.id, userId: alice, channel: 'in_app', template: 'invoice_issued', title: 'Title 2', body: 'Body 2',
      readAt: null, createdAt: '2030-01-01T00:00:02.000Z',
    });
    const page2 = (await request('GET', '/api/v1/notifications?pageSize=2&page=2', aliceToken)).json();
    expect(page2.data.map((n: { title: string }) => n.title)).toEqual(['Title 0']);
    expect(page2.meta).toEqual({ page: 2, pageSize: 2, total: 3, totalPages: 2 });
    // Past the last page: no rows to carry the window count, the total is still the real one.
    const past = (await request('GET', '/api/v1/notifications?pageSize=2&page=5', aliceToken)).json();
    expect(past).toMatchObject({ data: [], meta: { page: 5, pageSize: 2, total: 3, totalPages: 2 } });

    await request('POST', `/api/v1/notifications/${rows[0]!.id}/read`, aliceToken);
    const unread = (await request('GET', '/api/v1/notifications?unread=true', aliceToken)).json();
    expect(unread.data.map((n: { title: string }) => n.title)).toEqual(['Title 2', 'Title 1']);
    const read = (await request('GET', '/api/v1/notifications?unread=false', aliceToken)).json();
    expect(read.data.map((n: { title: string }) => n.title)).toEqual(['Title 0']);
    expect([unread.meta.total, read.meta.total]).toEqual([2, 1]);
    expect((await request('GET', '/api/v1/notifications?unread=false&page=2', aliceToken)).json().meta.total).toBe(1);
  });

  it('shows the welcome an event produced', async () => {
    const userId = randomUUID();
    await h.publish(sampleEvent(userRegisteredV1.type, { userId, email: `w-${userId.slice(0, 8)}@example.com` }));
    const token = await h.env.token({ sub: userId, role: 'user' });
    const list = await waitFor(async () => {
      const body = (await request('GET', '/api/v1/notifications', token)).json();
      return body.data.length ? body : undefined;
    }, { timeoutMs: 15_000 });
    expect(list.data).toEqual([expect.objectContaining({ template: 'welcome', channel: 'in_app', title: 'Welcome to the Platform', readAt: null })]);
  });

  it('rejects a bad query and a missing token', async () => {
    for (const query of ['unread=maybe', 'page=0', 'pageSize=101', 'page=abc', `ownerId=${bob}`, 'unread=true&userId=x']) {
      expectEnvelope(await request('GET', `/api/v1/notifications?${query}`, aliceToken), { status: 400, code: 'VALIDATION_ERROR', module: 'notifications' });
    }
    expectEnvelope(await request('GET', '/api/v1/notifications'), { status: 401, code: 'UNAUTHORIZED', module: 'notifications' });
  });
});

describe('marking read', () => {
  it('marks one read for its owner, idempotently, and hides it from everyone else (404)', async () => {
    const [mine] = await seed(alice, 1);
    const first = expectEnvelope(await request('POST', `/api/v1/notifications/${mine!.id}/read`, aliceToken), { status: 200, code: 'SUCCESS', module: 'notifications' }) as { data: { readAt: string } };
    expect(first.data.readAt).toMatch(/Z$/);
    const again = (await request('POST', `/api/v1/notifications/${mine!.id}/read`, aliceToken)).json();
    expect(again.data.readAt).toBe(first.data.readAt);
    // The list answers it as the write did; microseconds in the table keep JavaScript's Date's millisecond.
    const listed = async () => (await request('GET', '/api/v1/notifications?unread=false&pageSize=100', aliceToken)).json().data.find((n: { id: string }) => n.id === mine!.id);
    expect(await listed()).toEqual(first.data);
    await h.env.database.sql`update notifications set read_at = '2031-02-03 04:05:06.789999+00' where id = ${mine!.id}`;
    expect(await listed()).toEqual({ ...first.data, readAt: '2031-02-03T04:05:06.789Z' });

    const [bobs] = await seed(bob, 1);
    expectEnvelope(await request('POST', `/api/v1/notifications/${bobs!.id}/read`, aliceToken), { status: 404, code: 'NOT_FOUND', module: 'notifications' });
    expectEnvelope(await request('POST', `/api/v1/notifications/${randomUUID()}/read`, aliceToken), { status: 404, code: 'NOT_FOUND', module: 'notifications' });
    const [email] = await seed(alice, 1, 'email');
    expectEnvelope(await request('POST', `/api/v1/notifications/${email!.id}/read`, aliceToken), { status: 404, code: 'NOT_FOUND', module: 'notifications' });
    const untouched = await h.env.database.db.select().from(notifications).where(eq(notifications.id, bobs!.id));
    expect(untouched[0]!.readAt).toBeNull();

    expectEnvelope(await request('POST', '/api/v1/notifications/not-a-uuid/read', aliceToken), { status: 400, code: 'VALIDATION_ERROR', module: 'notifications' });
  });

  it('marks all own unread in-app notifications read and says how many', async () => {
    const carol = randomUUID();
    const token = await h.env.token({ sub: carol, role: 'user' });
    await seed(carol, 3);
    await seed(bob, 1);
    const res = await request('POST', '/api/v1/notifications/read-all', token);
    expect(expectEnvelope(res, { status: 200, code: 'SUCCESS', module: 'notifications' }).data).toEqual({ updated: 3 });
    expect((await request('POST', '/api/v1/notifications/read-all', token)).json().data).toEqual({ updated: 0 });
    const bobUnread = (await request('GET', '/api/v1/notifications?unread=true', bobToken)).json();
    expect(bobUnread.meta.total).toBeGreaterThan(0);
  });
});

describe('preferences', () => {
  it('answers the defaults, then what was saved', async () => {
    const dave = await h.env.token({ sub: randomUUID(), role: 'user' });
    const defaults = expectEnvelope(await request('GET', '/api/v1/notifications/preferences', dave), { status: 200, code: 'SUCCESS', module: 'notifications' });
    expect(defaults.data).toEqual({ email: { billing: true, marketing: false }, inApp: { billing: true, marketing: true } });
    const wanted = { email: { billing: false, marketing: true }, inApp: { billing: true, marketing: false } };
    expect((await request('PUT', '/api/v1/notifications/preferences', dave, wanted)).json().data).toEqual(wanted);
    expect((await request('GET', '/api/v1/notifications/preferences', dave)).json().data).toEqual(wanted);
  });

  it('rejects unknown, missing and non-boolean fields, and changes nothing', async () => {
    const userId = randomUUID();
    const token = await h.env.token({ sub: userId, role: 'user' });
    const bad = [
      { email: { billing: true, marketing: false }, inApp: { billing: true, marketing: true }, sms: { billing: true } },
      { email: { billing: true, marketing: false, security: false }, inApp: { billing: true, marketing: true } },
      { email: { billing: 'yes', marketing: false }, inApp: { billing: true, marketing: true } },
      { email: { billing: true, marketing: false } },
      [],
    ];
    for (const payload of bad) {
      const res = await request('PUT', '/api/v1/notifications/preferences', token, payload);
      expectEnvelope(res, { status: 400, code: 'VALIDATION_ERROR', module: 'notifications' });
    }
    const issues = (await request('PUT', '/api/v1/notifications/preferences', token, bad[1])).json().data.issues;
    expect(issues).toEqual([expect.objectContaining({ path: 'email.security' })]);
    expect(await h.env.database.db.select().from(preferences).where(eq(preferences.userId, userId))).toEqual([]);
  });
});

describe('GET /api/v1/notifications/deliveries', () => {
  it('is for admins only, filtered by user and status, without bodies', async () => {
    const erin = randomUUID();
    const [n] = await seed(erin, 1, 'email');
    await deliveriesRepository(h.env.database.db).insertOnce({
      notificationId: n!.id, userId: erin, to: 'erin@example.com', template: 'invoice_issued', subject: 's', text: 't', html: 'h',
      sourceEventId: randomUUID(), correlationId: 'test',
    });
    await waitFor(async () => (await h.env.database.db.select().from(deliveries).where(eq(deliveries.userId, erin)))[0]?.status === 'sent', { timeoutMs: 15_000 });

    const res = await request('GET', `/api/v1/notifications/deliveries?userId=${erin}&status=sent`, adminToken);
    const body = expectEnvelope(res, { status: 200, code: 'SUCCESS', module: 'notifications' }) as { data: unknown[]; meta: unknown };
    expect(body.data).toEqual([{
      id: expect.any(String), userId: erin, to: 'erin@example.com', template: 'invoice_issued', status: 'sent', attempts: 1, lastError: null,
      sentAt: expect.stringMatching(/Z$/),
    }]);
    expect((await request('GET', `/api/v1/notifications/deliveries?userId=${erin}&status=failed`, adminToken)).json().data).toEqual([]);

    expectEnvelope(await request('GET', '/api/v1/notifications/deliveries', aliceToken), { status: 403, code: 'FORBIDDEN', module: 'notifications' });
    expectEnvelope(await request('GET', '/api/v1/notifications/deliveries'), { status: 401, code: 'UNAUTHORIZED', module: 'notifications' });
    for (const query of ['status=lost', 'userId=42', 'page=-1', 'ownerId=42', 'template=welcome']) {
      expectEnvelope(await request('GET', `/api/v1/notifications/deliveries?${query}`, adminToken), { status: 400, code: 'VALIDATION_ERROR', module: 'notifications' });
    }
  });
});

describe('tokens of deactivated or re-roled users', () => {
  it('are refused once the deactivation is known', async () => {
    const frank = randomUUID();
    const token = await h.env.token({ sub: frank, role: 'user' });
    expect((await request('GET', '/api/v1/notifications', token)).statusCode).toBe(200);
    await h.publish(sampleEvent(userDeactivatedV1.type, { userId: frank }));
    await waitFor(async () => (await request('GET', '/api/v1/notifications', token)).statusCode === 401, { timeoutMs: 15_000 });
  });

  it('a demoted admin’s token is refused once the role change is known; a fresh one works', async () => {
    const grace = randomUUID();
    const token = await h.env.token({ sub: grace, role: 'admin' });
    await h.publish({ ...sampleEvent(userRegisteredV1.type, { userId: grace, role: 'admin', isActive: true }), occurredAt: new Date(Date.now() - 60_000).toISOString() });
    const deliveriesOf = (t: string) => request('GET', '/api/v1/notifications/deliveries', t);
    await waitFor(async () => (await h.env.database.sql`select 1 from recipients where user_id = ${grace}`).length === 1, { timeoutMs: 15_000 });
    expectEnvelope(await deliveriesOf(token), { status: 200, code: 'SUCCESS', module: 'notifications' });

    await h.publish(sampleEvent(userUpdatedV1.type, { userId: grace, role: 'user', isActive: true }));
    await waitFor(async () => (await deliveriesOf(token)).statusCode === 401, { timeoutMs: 15_000 });
    expectEnvelope(await request('GET', '/api/v1/notifications', token), { status: 401, code: 'UNAUTHORIZED', module: 'notifications' });
    const fresh = await h.env.token({ sub: grace, role: 'user' });
    expectEnvelope(await request('GET', '/api/v1/notifications', fresh), { status: 200, code: 'SUCCESS' });
    expectEnvelope(await deliveriesOf(fresh), { status: 403, code: 'FORBIDDEN' });
  });

  it('a token whose subject is not a user id is refused', async () => {
    const token = await h.env.token({ sub: 'not-a-uuid', role: 'user' });
    expectEnvelope(await request('GET', '/api/v1/notifications', token), { status: 401, code: 'UNAUTHORIZED', module: 'notifications' });
  });
});
