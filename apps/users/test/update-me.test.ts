// PATCH /users/me writes the change and its event in one statement, guarded by the row the token
// check read, and wakes the relay after it; a row that changed meanwhile takes the locking transaction.
import { parseEvent, userDeactivatedV1, userUpdatedV1 } from '@platform/contracts';
import { expectEnvelope } from '@platform/http-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRow } from '../src/data/schema.js';
import { prepareGuardedOwnUpdate, prepareUserById } from '../src/data/user-repository.js';
import type { UsersDeps } from '../src/deps.js';
import { userEvents } from '../src/publisher.js';
import { toUserDto } from '../src/routes/user-dto.js';
import { updateMe } from '../src/use-cases/update-me.js';
import { createUsersTestEnv, uniqueEmail, type UserBody, type UsersTestEnv } from './users-test-env.js';

let t: UsersTestEnv;
beforeAll(async () => {
  t = await createUsersTestEnv();
});
afterAll(async () => {
  await t?.close();
});

interface OutboxRow {
  id: string;
  payload: { id: string; type: string; occurredAt: string; correlationId: string; data: Record<string, unknown> };
  headers: Record<string, string>;
}
const eventsOf = (userId: string) =>
  t.env.database.sql<OutboxRow[]>`
    select id, payload, headers from outbox where subject = ${userUpdatedV1.type} and payload->'data'->>'userId' = ${userId} order by created_at`;
const rowOf = async (id: string) => (await prepareUserById(t.env.database.db)(id)) as UserRow;
const patch = (auth: Record<string, string>, payload: unknown, requestId?: string) =>
  t.app.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: { ...auth, ...(requestId ? { 'x-request-id': requestId } : {}) }, payload: payload as object });

describe('PATCH /api/v1/users/me: the change and its event in one statement', () => {
  it('writes the event of a rename with the row after the change, the request id in its headers', async () => {
    const { user, auth } = await t.signUp(uniqueEmail('one-statement'), 'Before Name');
    const res = await patch(auth, { fullName: 'After Name', profile: { timezone: 'Europe/Paris', bio: 'hi' } }, 'req-one-statement');
    const body = expectEnvelope<UserBody>(res, { status: 200, code: 'SUCCESS', module: 'users' }).data;
    expect(body).toMatchObject({ id: user.id, fullName: 'After Name', profile: { timezone: 'Europe/Paris', bio: 'hi', language: 'en' } });
    const stored = await rowOf(user.id);
    expect(body.updatedAt).toBe(stored.updatedAt.toISOString());
    expect(stored.updatedAt.getTime()).toBeGreaterThan(stored.createdAt.getTime());

    const events = await eventsOf(user.id);
    expect(events).toHaveLength(1);
    const event = events[0] as OutboxRow;
    expect(event.id).toBe(event.payload.id);
    expect(event.payload).toMatchObject({ type: userUpdatedV1.type, correlationId: 'req-one-statement' });
    expect(event.payload.data).toEqual({ userId: user.id, email: user.email, fullName: 'After Name', role: 'user', isActive: true });
    expect(event.headers['x-request-id']).toBe('req-one-statement');
  });

  it('wakes the relay once its event is committed, and only when it wrote one', async () => {
    const { user } = await t.signUp(uniqueEmail('wake'), 'Wake Me');
    const known = await rowOf(user.id);
    // What the relay would claim when woken: the event must be visible to another connection by then.
    const seen: number[] = [];
    let pending: Promise<void> = Promise.resolve();
    const guarded = prepareGuardedOwnUpdate(t.env.database.sql, () => {
      pending = eventsOf(user.id).then((rows) => void seen.push(rows.length));
    });
    const renamed = await guarded({ id: user.id, expected: known, changes: { fullName: 'Woken' }, updatedAt: new Date(), event: userEvents.updatedRow({ ...known, fullName: 'Woken' }, 'req-wake') });
    expect(renamed?.events).toBe(1);
    await pending;
    expect(seen).toEqual([1]);
    const same = await guarded({ id: user.id, expected: known, changes: { fullName: 'Woken' }, updatedAt: new Date(), event: userEvents.updatedRow({ ...known, fullName: 'Woken' }, 'req-same') });
    expect(same?.events).toBe(0);
    expect(seen).toEqual([1]);
  });

  it('writes no event when the name stays the same, and clears what is given as null', async () => {
    const { user, auth } = await t.signUp(uniqueEmail('same-name'), 'Same Name');
    expectEnvelope(await patch(auth, { profile: { bio: 'x', phone: '+1 555', avatarUrl: 'https://a.example/p.png' } }), { status: 200, code: 'SUCCESS' });
    const res = await patch(auth, { fullName: 'Same Name', profile: { phone: null } });
    expect(expectEnvelope<UserBody>(res, { status: 200, code: 'SUCCESS' }).data.profile).toMatchObject({ bio: 'x', phone: null, avatarUrl: 'https://a.example/p.png' });
    expect(await eventsOf(user.id)).toHaveLength(0);
  });

  it('writes one event for concurrent renames to the same name: the row lock decides, not the earlier read', async () => {
    const { user, auth } = await t.signUp(uniqueEmail('concurrent'), 'Old Name');
    const results = await Promise.all(Array.from({ length: 6 }, () => patch(auth, { fullName: 'New Name' })));
    for (const res of results) expectEnvelope(res, { status: 200, code: 'SUCCESS' });
    const events = await eventsOf(user.id);
    expect(events.map((e) => e.payload.data.fullName)).toEqual(['New Name']);
  });

  it('concurrent renames to different names: the newest event by occurredAt carries the name the row ends with', async () => {
    const { user, auth } = await t.signUp(uniqueEmail('racing'), 'Racer 0');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => patch(auth, { fullName: `Racer ${i + 1}` })));
    for (const res of results) expectEnvelope(res, { status: 200, code: 'SUCCESS' });
    const events = await eventsOf(user.id);
    expect(events).toHaveLength(8);
    // Billing's projection keeps the newest snapshot by occurredAt: each must be later than the
    // one before it in the order the renames took the row, never a tie.
    const byTime = [...events].sort((a, b) => a.payload.occurredAt.localeCompare(b.payload.occurredAt));
    expect(new Set(byTime.map((e) => e.payload.occurredAt)).size).toBe(8);
    const stored = await rowOf(user.id);
    expect(byTime.at(-1)?.payload.data.fullName).toBe(stored.fullName);
    expect(byTime.at(-1)?.payload.occurredAt).toBe(stored.updatedAt.toISOString());
  });

  it('stamps the event with the row’s new updated_at, taken under the lock: the caller’s event has no occurredAt', async () => {
    const { user } = await t.signUp(uniqueEmail('stamped'), 'Stamped');
    const before = await rowOf(user.id);
    const guarded = prepareGuardedOwnUpdate(t.env.database.sql, () => undefined);
    const event = userEvents.updatedRow({ ...user, role: 'user', fullName: 'Stamped Again' }, 'req-stamped');
    expect(JSON.parse(event.payload)).not.toHaveProperty('occurredAt');
    const done = await guarded({ id: user.id, expected: { email: user.email, role: 'user' }, changes: { fullName: 'Stamped Again' }, updatedAt: new Date(0), event });
    expect(done?.events).toBe(1);
    const after = await rowOf(user.id);
    expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime() + 1);
    const [stored] = await eventsOf(user.id);
    expect(stored?.payload.occurredAt).toBe(after.updatedAt.toISOString());
    // What consumers parse: the envelope as the contract has it, occurredAt included.
    expect(parseEvent(userUpdatedV1, stored?.payload).success).toBe(true);
  });

  it('the guarded statement writes the change and the event when the row is as expected, nothing when it is not', async () => {
    const { user } = await t.signUp(uniqueEmail('guarded'), 'Guarded');
    const guarded = prepareGuardedOwnUpdate(t.env.database.sql, () => undefined);
    const row = (id: string) => ({ id, subject: userUpdatedV1.type, payload: JSON.stringify({ id, data: { userId: user.id } }), headers: '{"x-request-id":"r"}' });
    const done = await guarded({ id: user.id, expected: { email: user.email, role: 'user' }, changes: { fullName: 'Guarded Too', language: 'de' }, updatedAt: new Date(), event: row('9f6b1f0e-3a0c-4c1e-8d7a-2f4b6c8d0e12') });
    expect(done).toMatchObject({ events: 1, user: { id: user.id, fullName: 'Guarded Too', role: 'user', profile: { language: 'de', timezone: 'UTC', bio: null } } });
    // The user as the API shows it, read by the statement itself: what drizzle's row maps to.
    expect(done?.user).toEqual(toUserDto(await rowOf(user.id)));
    expect((await eventsOf(user.id)).map((e) => e.id)).toEqual(['9f6b1f0e-3a0c-4c1e-8d7a-2f4b6c8d0e12']);

    const event = row('2b0cf8c1-7e5b-4a35-9c55-6f3f7b1d2a10');
    const changes = { fullName: 'Changed', bio: 'changed' };
    expect(await guarded({ id: user.id, expected: { email: user.email, role: 'admin' }, changes, updatedAt: new Date(), event })).toBeUndefined();
    expect(await guarded({ id: user.id, expected: { email: 'other@example.com', role: 'user' }, changes, updatedAt: new Date(), event })).toBeUndefined();
    await t.env.database.sql`update users set is_active = false where id = ${user.id}`;
    expect(await guarded({ id: user.id, expected: { email: user.email, role: 'user' }, changes, updatedAt: new Date(), event })).toBeUndefined();
    expect(await rowOf(user.id)).toMatchObject({ fullName: 'Guarded Too', bio: null });
    expect(await eventsOf(user.id)).toHaveLength(1);
  });

  it('falls back to the locking transaction when the row changed after the token check: the event carries the current role', async () => {
    const { user } = await t.signUp(uniqueEmail('fallback'), 'Fallback');
    const known = toUserDto(await rowOf(user.id)); // what the token check read
    await t.env.database.sql`update users set role = 'moderator' where id = ${user.id}`; // an admin, meanwhile
    const deps = { db: t.env.database.db, updateOwn: prepareGuardedOwnUpdate(t.env.database.sql, () => undefined) } as unknown as UsersDeps;
    const after = await updateMe(deps, user.id, { fullName: 'Fallback Renamed' }, 'req-fallback', known);
    expect(after).toMatchObject({ fullName: 'Fallback Renamed', role: 'moderator' });
    const events = await eventsOf(user.id);
    expect(events.map((e) => e.payload.data)).toEqual([{ userId: user.id, email: user.email, fullName: 'Fallback Renamed', role: 'moderator', isActive: true }]);
    expect(events[0]?.payload.correlationId).toBe('req-fallback');
    expect(events[0]?.payload.occurredAt).toBe((await rowOf(user.id)).updatedAt.toISOString());
  });

  it('the locking transaction orders its change like the one statement: updated_at (and occurredAt) after the previous one', async () => {
    const { user } = await t.signUp(uniqueEmail('fallback-order'), 'Fallback Order');
    // The previous change's updated_at ahead of this clock (another replica's, or the same millisecond).
    const ahead = new Date(Date.now() + 60_000);
    await t.env.database.sql`update users set updated_at = ${ahead.toISOString()}::timestamptz where id = ${user.id}`;
    const deps = { db: t.env.database.db, updateOwn: prepareGuardedOwnUpdate(t.env.database.sql, () => undefined) } as unknown as UsersDeps;
    const after = await updateMe(deps, user.id, { fullName: 'Fallback Ordered' }, 'req-fallback-order');
    const stored = await rowOf(user.id);
    expect(stored.updatedAt.getTime()).toBe(ahead.getTime() + 1);
    expect(after.updatedAt).toBe(stored.updatedAt.toISOString());
    expect((await eventsOf(user.id)).map((e) => e.payload.occurredAt)).toEqual([stored.updatedAt.toISOString()]);
  });
});

describe('PATCH and DELETE /api/v1/users/:id (admin): ordered like PATCH /users/me', () => {
  const usersEventsOf = (userId: string) =>
    t.env.database.sql<OutboxRow[]>`
      select id, payload, headers from outbox
      where subject in (${userUpdatedV1.type}, ${userDeactivatedV1.type}) and payload->'data'->>'userId' = ${userId}
      order by created_at, payload->>'type' desc`;
  const adminCall = async (method: 'PATCH' | 'DELETE', id: string, payload?: object) =>
    t.app.inject({ method, url: `/api/v1/users/${id}`, headers: await t.adminAuth(), ...(payload ? { payload } : {}) });

  it('stamps role changes, deactivation and reactivation with the row’s new updated_at, after the previous change’s', async () => {
    const { user, auth } = await t.signUp(uniqueEmail('admin-order'), 'Admin Order');
    // A rename took the row with an updated_at ahead of this process's clock (another replica's
    // clock, or renames less than a millisecond apart): billing keeps the newest snapshot by
    // occurredAt, so the admin's change after it must be newer still, or it is ignored there.
    expectEnvelope(await patch(auth, { fullName: 'Renamed First' }), { status: 200, code: 'SUCCESS' });
    const ahead = new Date(Date.now() + 60_000);
    await t.env.database.sql`update users set updated_at = ${ahead.toISOString()}::timestamptz where id = ${user.id}`;

    expectEnvelope(await adminCall('PATCH', user.id, { role: 'moderator' }), { status: 200, code: 'SUCCESS' });
    const promoted = await rowOf(user.id);
    expect(promoted.updatedAt.getTime()).toBe(ahead.getTime() + 1);

    expectEnvelope(await adminCall('DELETE', user.id), { status: 200, code: 'SUCCESS' });
    const deactivated = await rowOf(user.id);
    expect(deactivated.updatedAt.getTime()).toBe(ahead.getTime() + 2);

    expectEnvelope(await adminCall('PATCH', user.id, { isActive: true }), { status: 200, code: 'SUCCESS' });
    const reactivated = await rowOf(user.id);
    expect(reactivated.updatedAt.getTime()).toBe(ahead.getTime() + 3);

    const events = (await usersEventsOf(user.id)).slice(1).map((e) => ({ type: e.payload.type, occurredAt: e.payload.occurredAt, isActive: e.payload.data.isActive }));
    expect(events).toEqual([
      { type: userUpdatedV1.type, occurredAt: promoted.updatedAt.toISOString(), isActive: true },
      // The deactivation's two events share its instant (a tie: the projection lets the deactivation win) ...
      { type: userUpdatedV1.type, occurredAt: deactivated.updatedAt.toISOString(), isActive: false },
      { type: userDeactivatedV1.type, occurredAt: deactivated.updatedAt.toISOString(), isActive: undefined },
      // ... and the reactivation is newer than both, so it is not ignored.
      { type: userUpdatedV1.type, occurredAt: reactivated.updatedAt.toISOString(), isActive: true },
    ]);
  });
});
