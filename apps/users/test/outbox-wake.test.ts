// Every outbox write of the users service wakes its relay after the commit: none runs a NOTIFY
// inside its transaction (a notifying commit holds Postgres' one notify lock through its flush).
import { userDeactivatedV1, userLoggedInV1, userPasswordChangedV1, userRegisteredV1, userUpdatedV1 } from '@platform/contracts';
import { listenToOutboxNotifies, readStreamMessages, waitFor, type OutboxNotifies } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsersTestEnv, PASSWORD, uniqueEmail, type UsersTestEnv } from './users-test-env.js';

let t: UsersTestEnv;
let notifies: OutboxNotifies;
beforeAll(async () => {
  t = await createUsersTestEnv();
  notifies = await listenToOutboxNotifies(t.env.database.sql);
});
afterAll(async () => {
  await notifies?.close();
  await t?.close();
});

const publishedFor = async (type: string, userId: string) =>
  (await readStreamMessages(t.env.messaging.jsm, t.env.messaging.streamName('USERS'), t.env.messaging.subject(type))).filter(
    (m) => (JSON.parse(m.data) as { data: { userId: string } }).data.userId === userId,
  ).length;

describe('users outbox writes', () => {
  it('registration, login, renames, password change, role change and deactivation publish without a NOTIFY in their transactions', async () => {
    const { user, auth } = await t.signUp(uniqueEmail('wake'), 'Wake Up');
    const admin = await t.adminAuth();
    const calls = [
      { method: 'PATCH', url: '/api/v1/users/me', headers: auth, payload: { fullName: 'Renamed Once' } },
      { method: 'POST', url: '/api/v1/users/me/password', headers: auth, payload: { currentPassword: PASSWORD, newPassword: 'N3w-Passw0rd' } },
      { method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: admin, payload: { role: 'admin' } },
      { method: 'DELETE', url: `/api/v1/users/${user.id}`, headers: admin },
    ] as const;
    for (const call of calls) expect((await t.app.inject(call)).statusCode).toBeLessThan(300);

    const expected: Array<[string, number]> = [
      [userRegisteredV1.type, 1],
      [userLoggedInV1.type, 1],
      [userPasswordChangedV1.type, 1],
      [userDeactivatedV1.type, 1],
      // the rename, the role change, the deactivation's snapshot
      [userUpdatedV1.type, 3],
    ];
    for (const [type, count] of expected) await waitFor(async () => (await publishedFor(type, user.id)) === count, { timeoutMs: 10_000 });
    // The marker's NOTIFY, committed after every one of those transactions, arrives first.
    expect(await notifies.count()).toBe(0);
  });
});
