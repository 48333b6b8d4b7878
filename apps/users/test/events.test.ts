import {
  userDeactivatedV1,
  userLoggedInV1,
  userPasswordChangedV1,
  userRegisteredV1,
  userUpdatedV1,
} from '@platform/contracts';
import { expectEnvelope } from '@platform/http-kit/testing';
import { countSubjectMessages, readStreamMessages, waitFor } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, createUsersTestEnv, PASSWORD, uniqueEmail, type UserBody, type UsersTestEnv } from './users-test-env.js';

let t: UsersTestEnv;
beforeAll(async () => {
  t = await createUsersTestEnv();
});
afterAll(async () => {
  await t?.close();
});

const stream = () => t.env.messaging.streamName('USERS');
const published = async (type: string) =>
  (await readStreamMessages(t.env.messaging.jsm, stream(), t.env.messaging.subject(type))).map((m) => ({
    ...m,
    event: JSON.parse(m.data) as { id: string; type: string; correlationId: string; data: Record<string, unknown> },
  }));

describe('events on the USERS stream', () => {
  it(`registering publishes exactly one ${userRegisteredV1.type} with Nats-Msg-Id = event id and the request id`, async () => {
    const email = uniqueEmail('events');
    const requestId = 'req-register-events-1';
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'x-request-id': requestId },
      payload: { email, password: PASSWORD, fullName: 'Eve Event' },
    });
    const user = expectEnvelope<UserBody>(res, { status: 201, code: 'SUCCESS' }).data;
    expect(res.headers['x-request-id']).toBe(requestId);

    const mine = await waitFor(async () => {
      const messages = (await published(userRegisteredV1.type)).filter((m) => m.event.data.userId === user.id);
      return messages.length > 0 ? messages : undefined;
    }, { timeoutMs: 10_000 });
    expect(mine).toHaveLength(1);
    const message = mine[0] as (typeof mine)[number];
    expect(message.event).toMatchObject({
      type: userRegisteredV1.type,
      correlationId: requestId,
      data: { userId: user.id, email, fullName: 'Eve Event', role: 'user', isActive: true },
    });
    expect(message.headers['Nats-Msg-Id']).toBe(message.event.id);
    expect(message.headers['x-request-id']).toBe(requestId);
    // A second registration attempt with the same e-mail (409) publishes nothing more.
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: PASSWORD, fullName: 'Eve' } });
    expectEnvelope(again, { status: 409, code: 'CONFLICT' });
    const [{ n }] = await t.env.database.sql<{ n: string }[]>`select count(*) as n from outbox where subject = ${userRegisteredV1.type} and payload->'data'->>'userId' = ${user.id}`;
    expect(Number(n)).toBe(1);
  });

  it('the seeded admin was published as registered, once', async () => {
    const admins = await waitFor(async () => {
      const messages = (await published(userRegisteredV1.type)).filter((m) => m.event.data.email === ADMIN_EMAIL);
      return messages.length > 0 ? messages : undefined;
    }, { timeoutMs: 10_000 });
    expect(admins).toHaveLength(1);
    expect(admins[0]?.event.data).toMatchObject({ role: 'admin', isActive: true });
  });

  it('login, rename, password change and deactivation publish their events with the request id', async () => {
    const { user, auth } = await t.signUp(uniqueEmail('lifecycle'), 'Life Cycle');
    const admin = await t.adminAuth();
    await t.app.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: { ...auth, 'x-request-id': 'req-rename' }, payload: { fullName: 'Renamed' } });
    await t.app.inject({ method: 'POST', url: '/api/v1/users/me/password', headers: { ...auth, 'x-request-id': 'req-password' }, payload: { currentPassword: PASSWORD, newPassword: 'N3w-Passw0rd' } });
    await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${user.id}`, headers: { ...admin, 'x-request-id': 'req-deactivate' } });

    const expectations: Array<[string, string | undefined, Record<string, unknown>]> = [
      [userLoggedInV1.type, undefined, { userId: user.id }],
      [userUpdatedV1.type, 'req-rename', { userId: user.id, fullName: 'Renamed', isActive: true }],
      [userPasswordChangedV1.type, 'req-password', { userId: user.id }],
      [userDeactivatedV1.type, 'req-deactivate', { userId: user.id }],
      [userUpdatedV1.type, 'req-deactivate', { userId: user.id, isActive: false }],
    ];
    for (const [type, requestId, data] of expectations) {
      const found = await waitFor(async () => {
        const messages = await published(type);
        return messages.find((m) => m.event.data.userId === user.id && (!requestId || m.headers['x-request-id'] === requestId) && Object.entries(data).every(([k, v]) => m.event.data[k] === v));
      }, { timeoutMs: 10_000 });
      expect(found.event.data).toMatchObject(data);
    }
    expect(await countSubjectMessages(t.env.messaging.jsm, stream(), t.env.messaging.subject(userDeactivatedV1.type))).toBe(1);
  });
});
