import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { userDeactivatedV1, userPasswordChangedV1, userUpdatedV1 } from '@platform/contracts';
import { bearer, expectEnvelope } from '@platform/http-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsersTestEnv, PASSWORD, uniqueEmail, type TokenPair, type UserBody, type UsersTestEnv } from './users-test-env.js';

let t: UsersTestEnv;
let alice: { user: UserBody; tokens: TokenPair; auth: { authorization: string } };
let bob: { user: UserBody; tokens: TokenPair; auth: { authorization: string } };
let admin: { authorization: string };
let moderator: { authorization: string };

beforeAll(async () => {
  t = await createUsersTestEnv();
  [alice, bob] = await Promise.all([t.signUp(uniqueEmail('alice'), 'Alice Liddell'), t.signUp(uniqueEmail('bob'), 'Bob 100%_Real')]);
  admin = await t.adminAuth();
  const mod = await t.register(uniqueEmail('mod'), 'Mod Erator');
  await t.env.database.sql`update users set role = 'moderator' where id = ${mod.id}`;
  moderator = bearer((await t.login(mod.email)).accessToken);
});
afterAll(async () => {
  await t?.close();
});

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown): Promise<LightMyRequestResponse> =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) } as InjectOptions);
const outboxCount = async (type: string) => Number((await t.env.database.sql<{ n: string }[]>`select count(*) as n from outbox where subject = ${type}`)[0]?.n);

describe('GET/PATCH /api/v1/users/me', () => {
  it('returns the caller', async () => {
    const body = expectEnvelope<UserBody>(await call('GET', '/api/v1/users/me', alice.auth), { status: 200, code: 'SUCCESS', module: 'users' });
    expect(body.data).toMatchObject({ id: alice.user.id, fullName: 'Alice Liddell', role: 'user' });
    expect(body.data).not.toHaveProperty('passwordHash');
  });

  it('changes the name and profile (merge), canonicalising the language; a name change is an event', async () => {
    const before = await outboxCount(userUpdatedV1.type);
    const payload = {
      fullName: '  Alice L.  ',
      profile: { bio: 'Down the rabbit hole', avatarUrl: 'https://cdn.example.com/a.png', phone: '+44 20 7946 0958', timezone: 'Europe/London', language: 'en-gb' },
    };
    const body = expectEnvelope<UserBody>(await call('PATCH', '/api/v1/users/me', alice.auth, payload), { status: 200, code: 'SUCCESS' });
    expect(body.data).toMatchObject({ fullName: 'Alice L.', profile: { ...payload.profile, language: 'en-GB' } });
    expect(await outboxCount(userUpdatedV1.type)).toBe(before + 1);

    const partial = await call('PATCH', '/api/v1/users/me', alice.auth, { profile: { bio: null } });
    expect(expectEnvelope<UserBody>(partial, { status: 200, code: 'SUCCESS' }).data.profile).toMatchObject({ bio: null, timezone: 'Europe/London' });
    // A profile-only change is not part of the event snapshot.
    expect(await outboxCount(userUpdatedV1.type)).toBe(before + 1);
  });

  const bad: Array<[string, unknown, string]> = [
    ['an empty body', {}, 'body'],
    ['an empty profile', { profile: {} }, 'body'],
    ['role (mass assignment)', { role: 'admin' }, 'role'],
    ['isActive (mass assignment)', { isActive: false }, 'isActive'],
    ['id (mass assignment)', { id: '00000000-0000-4000-8000-000000000000' }, 'id'],
    ['passwordHash (mass assignment)', { passwordHash: 'x' }, 'passwordHash'],
    ['email', { email: 'new@example.com' }, 'email'],
    ['an unknown profile field', { profile: { twitter: '@a' } }, 'profile.twitter'],
    ['a blank name', { fullName: '  ' }, 'fullName'],
    ['a name over 100 characters', { fullName: 'n'.repeat(101) }, 'fullName'],
    ['a NUL in the name', { fullName: 'a\u0000b' }, 'fullName'],
    ['CR/LF in the name (e-mail header and log injection)', { fullName: 'Ann\r\nBcc: all@example.com' }, 'fullName'],
    ['a right-to-left override in the name', { fullName: 'Ann \u202Enimda' }, 'fullName'],
    ['a bidi isolate in the name', { fullName: 'Ann \u2066x\u2069' }, 'fullName'],
    ['an escape sequence in the name', { fullName: 'Ann \u001b[31mred' }, 'fullName'],
    ['a NUL in the bio', { profile: { bio: 'a\u0000b' } }, 'profile.bio'],
    ['a right-to-left override in the bio', { profile: { bio: 'hi \u202Etxt.exe' } }, 'profile.bio'],
    ['an escape sequence in the bio', { profile: { bio: 'clear \u001b[2J' } }, 'profile.bio'],
    ['a bio over 500 characters', { profile: { bio: 'b'.repeat(501) } }, 'profile.bio'],
    ['a javascript: avatar URL', { profile: { avatarUrl: 'javascript:alert(1)' } }, 'profile.avatarUrl'],
    ['an ftp avatar URL', { profile: { avatarUrl: 'ftp://example.com/a.png' } }, 'profile.avatarUrl'],
    ['an avatar URL over 500 characters', { profile: { avatarUrl: `https://example.com/${'a'.repeat(490)}` } }, 'profile.avatarUrl'],
    ['a phone over 20 characters', { profile: { phone: '1'.repeat(21) } }, 'profile.phone'],
    ['a phone with letters', { profile: { phone: 'call me' } }, 'profile.phone'],
    ['an unknown time zone', { profile: { timezone: 'Mars/Olympus' } }, 'profile.timezone'],
    ['a null time zone', { profile: { timezone: null } }, 'profile.timezone'],
    ['an invalid language tag', { profile: { language: 'not a tag!' } }, 'profile.language'],
  ];

  it('keeps the line breaks of a multi-line bio, in any script', async () => {
    const bio = 'שלום, I am Ann.\nLine two\r\n\tindented';
    const res = await call('PATCH', '/api/v1/users/me', alice.auth, { fullName: 'Ann Ødegård', profile: { bio } });
    expect(expectEnvelope<UserBody>(res, { status: 200, code: 'SUCCESS' }).data).toMatchObject({ fullName: 'Ann Ødegård', profile: { bio } });
  });

  it.each(bad)('refuses %s with 400 and changes nothing', async (_name, payload, path) => {
    const before = (await call('GET', '/api/v1/users/me', bob.auth)).body;
    const body = expectEnvelope<{ issues: Array<{ path: string }> }>(await call('PATCH', '/api/v1/users/me', bob.auth, payload), { status: 400, code: 'VALIDATION_ERROR', module: 'users' });
    expect(body.data.issues.map((issue) => issue.path)).toContain(path);
    expect(JSON.parse((await call('GET', '/api/v1/users/me', bob.auth)).body).data).toEqual(JSON.parse(before).data);
  });

  it('needs a token', async () => {
    expectEnvelope(await call('GET', '/api/v1/users/me', {}), { status: 401, code: 'UNAUTHORIZED' });
    expectEnvelope(await call('PATCH', '/api/v1/users/me', {}, { fullName: 'x' }), { status: 401, code: 'UNAUTHORIZED' });
  });
});

describe('POST /api/v1/users/me/password', () => {
  it('changes the password, revokes every refresh token and publishes password_changed', async () => {
    const carol = await t.signUp(uniqueEmail('carol'));
    const secondLogin = await t.login(carol.user.email);
    const events = await outboxCount(userPasswordChangedV1.type);
    const res = await call('POST', '/api/v1/users/me/password', carol.auth, { currentPassword: PASSWORD, newPassword: 'N3w-Passw0rd' });
    expect(expectEnvelope(res, { status: 200, code: 'SUCCESS', module: 'users' }).data).toBeNull();
    for (const refreshToken of [carol.tokens.refreshToken, secondLogin.refreshToken]) {
      expectEnvelope(await call('POST', '/api/v1/auth/refresh', {}, { refreshToken }), { status: 401, code: 'UNAUTHORIZED' });
    }
    expect(await outboxCount(userPasswordChangedV1.type)).toBe(events + 1);
    expectEnvelope(await call('POST', '/api/v1/auth/login', {}, { email: carol.user.email, password: PASSWORD }), { status: 401, code: 'UNAUTHORIZED' });
    await t.login(carol.user.email, 'N3w-Passw0rd');
  });

  it('refuses a wrong current password (401) and a weak new one (400), changing nothing', async () => {
    const [{ password_hash: before }] = await t.env.database.sql<{ password_hash: string }[]>`select password_hash from users where id = ${bob.user.id}`;
    expectEnvelope(await call('POST', '/api/v1/users/me/password', bob.auth, { currentPassword: 'Wr0ng-Password', newPassword: 'N3w-Passw0rd' }), { status: 401, code: 'UNAUTHORIZED' });
    expectEnvelope(await call('POST', '/api/v1/users/me/password', bob.auth, { currentPassword: PASSWORD, newPassword: 'weak' }), { status: 400, code: 'VALIDATION_ERROR' });
    expectEnvelope(await call('POST', '/api/v1/users/me/password', bob.auth, { currentPassword: PASSWORD }), { status: 400, code: 'VALIDATION_ERROR' });
    expectEnvelope(await call('POST', '/api/v1/users/me/password', bob.auth, { currentPassword: PASSWORD, newPassword: 'N3w-Passw0rd', userId: alice.user.id }), { status: 400, code: 'VALIDATION_ERROR' });
    const [{ password_hash: after }] = await t.env.database.sql<{ password_hash: string }[]>`select password_hash from users where id = ${bob.user.id}`;
    expect(after).toBe(before);
    // Bob's refresh token still works: nothing was revoked.
    const res = await call('POST', '/api/v1/auth/refresh', {}, { refreshToken: bob.tokens.refreshToken });
    bob.tokens = expectEnvelope<TokenPair>(res, { status: 200, code: 'SUCCESS' }).data;
    bob.auth = bearer(bob.tokens.accessToken);
  });
});

describe('GET /api/v1/users (moderator, admin)', () => {
  it('lists a page with meta, for moderators and admins only', async () => {
    const body = expectEnvelope<UserBody[]>(await call('GET', '/api/v1/users?page=1&pageSize=2', moderator), { status: 200, code: 'SUCCESS', module: 'users' });
    expect(body.data).toHaveLength(2);
    expect(body.meta).toMatchObject({ page: 1, pageSize: 2, total: expect.any(Number) });
    expect(body.meta?.totalPages).toBe(Math.ceil((body.meta?.total ?? 0) / 2));
    expectEnvelope(await call('GET', '/api/v1/users', admin), { status: 200, code: 'SUCCESS' });
    expectEnvelope(await call('GET', '/api/v1/users', alice.auth), { status: 403, code: 'FORBIDDEN' });
    expectEnvelope(await call('GET', '/api/v1/users', {}), { status: 401, code: 'UNAUTHORIZED' });
  });

  it('searches name or e-mail case-insensitively, with LIKE wildcards taken literally', async () => {
    const search = async (q: string) =>
      expectEnvelope<UserBody[]>(await call('GET', `/api/v1/users?search=${encodeURIComponent(q)}`, admin), { status: 200, code: 'SUCCESS' }).data.map((u) => u.id);
    expect(await search('ALICE')).toEqual([alice.user.id]);
    expect(await search(alice.user.email.slice(0, 8).toUpperCase())).toEqual([alice.user.id]);
    expect(await search('100%_')).toEqual([bob.user.id]);
    expect(await search('%%')).toEqual([]);
    expect(await search('__')).toEqual([]);
    expect(await search('a\\')).toEqual([]);
  });

  it('filters by role and isActive', async () => {
    const list = async (query: string) =>
      expectEnvelope<UserBody[]>(await call('GET', `/api/v1/users?${query}`, admin), { status: 200, code: 'SUCCESS' }).data;
    expect((await list('role=admin')).every((u) => u.role === 'admin')).toBe(true);
    expect((await list('role=moderator')).map((u) => u.fullName)).toEqual(['Mod Erator']);
    expect((await list('isActive=true')).every((u) => u.isActive)).toBe(true);
    expect((await list('isActive=false')).every((u) => !u.isActive)).toBe(true);
  });

  it.each([
    ['search of 1 character', 'search=a'],
    ['search of 101 characters', `search=${'a'.repeat(101)}`],
    ['a NUL in search', 'search=ab%00cd'],
    ['an unknown role', 'role=root'],
    ['isActive not a boolean', 'isActive=yes'],
    ['page 0', 'page=0'],
    ['pageSize 101', 'pageSize=101'],
    ['an unknown parameter', 'sort=email'],
  ])('refuses %s with 400', async (_name, query) => {
    expectEnvelope(await call('GET', `/api/v1/users?${query}`, admin), { status: 400, code: 'VALIDATION_ERROR', module: 'users' });
  });
});

describe('GET /api/v1/users/:id', () => {
  it('answers self, moderators and admins; another user gets 404 (BOLA)', async () => {
    expectEnvelope(await call('GET', `/api/v1/users/${alice.user.id}`, alice.auth), { status: 200, code: 'SUCCESS' });
    expectEnvelope(await call('GET', `/api/v1/users/${alice.user.id}`, moderator), { status: 200, code: 'SUCCESS' });
    expectEnvelope(await call('GET', `/api/v1/users/${alice.user.id}`, admin), { status: 200, code: 'SUCCESS' });
    const stranger = expectEnvelope(await call('GET', `/api/v1/users/${alice.user.id}`, bob.auth), { status: 404, code: 'NOT_FOUND' });
    const missing = expectEnvelope(await call('GET', '/api/v1/users/00000000-0000-4000-8000-000000000000', admin), { status: 404, code: 'NOT_FOUND' });
    expect(stranger.message).toBe(missing.message);
    expectEnvelope(await call('GET', '/api/v1/users/not-a-uuid', admin), { status: 400, code: 'VALIDATION_ERROR' });
  });
});

describe('PATCH and DELETE /api/v1/users/:id (admin)', () => {
  it('only admins: a user changing another (BOLA) or a moderator gets 403 and nothing changes', async () => {
    for (const auth of [bob.auth, moderator]) {
      expectEnvelope(await call('PATCH', `/api/v1/users/${alice.user.id}`, auth, { role: 'admin' }), { status: 403, code: 'FORBIDDEN' });
      expectEnvelope(await call('DELETE', `/api/v1/users/${alice.user.id}`, auth), { status: 403, code: 'FORBIDDEN' });
    }
    expectEnvelope(await call('PATCH', `/api/v1/users/${bob.user.id}`, bob.auth, { role: 'admin' }), { status: 403, code: 'FORBIDDEN' });
    const [row] = await t.env.database.sql<{ role: string; is_active: boolean }[]>`select role, is_active from users where id = ${alice.user.id}`;
    expect(row).toEqual({ role: 'user', is_active: true });
  });

  it('changes name, role and active flag, with an updated event', async () => {
    const target = await t.register(uniqueEmail('target'), 'Target');
    const before = await outboxCount(userUpdatedV1.type);
    const res = await call('PATCH', `/api/v1/users/${target.id}`, admin, { fullName: ' New Name ', role: 'moderator' });
    expect(expectEnvelope<UserBody>(res, { status: 200, code: 'SUCCESS' }).data).toMatchObject({ fullName: 'New Name', role: 'moderator', isActive: true });
    expect(await outboxCount(userUpdatedV1.type)).toBe(before + 1);
    // The same values again change nothing and publish nothing.
    expectEnvelope(await call('PATCH', `/api/v1/users/${target.id}`, admin, { role: 'moderator' }), { status: 200, code: 'SUCCESS' });
    expect(await outboxCount(userUpdatedV1.type)).toBe(before + 1);
  });

  it.each([
    ['an empty body', {}],
    ['an unknown role', { role: 'root' }],
    ['isActive as a string', { isActive: 'false' }],
    ['profile (not an admin field)', { profile: { bio: 'x' } }],
    ['a name with a line break', { fullName: 'Ann\nAdmin' }],
    ['a name with a bidi override', { fullName: '\u202Eevil' }],
    ['email', { email: 'x@example.com' }],
    ['passwordHash', { passwordHash: 'x' }],
  ])('refuses %s with 400', async (_name, payload) => {
    expectEnvelope(await call('PATCH', `/api/v1/users/${alice.user.id}`, admin, payload), { status: 400, code: 'VALIDATION_ERROR' });
  });

  it('404 for an unknown user, 422 for an admin demoting or deactivating themselves', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expectEnvelope(await call('PATCH', `/api/v1/users/${missing}`, admin, { role: 'user' }), { status: 404, code: 'NOT_FOUND' });
    expectEnvelope(await call('DELETE', `/api/v1/users/${missing}`, admin), { status: 404, code: 'NOT_FOUND' });
    const self = expectEnvelope<UserBody>(await call('GET', '/api/v1/users/me', admin), { status: 200, code: 'SUCCESS' }).data;
    expectEnvelope(await call('PATCH', `/api/v1/users/${self.id}`, admin, { role: 'user' }), { status: 422, code: 'UNPROCESSABLE' });
    expectEnvelope(await call('DELETE', `/api/v1/users/${self.id}`, admin), { status: 422, code: 'UNPROCESSABLE' });
  });

  it('DELETE deactivates (soft): user kept, isActive false, tokens revoked, events once', async () => {
    const dave = await t.signUp(uniqueEmail('dave'));
    const deactivated = await outboxCount(userDeactivatedV1.type);
    const res = await call('DELETE', `/api/v1/users/${dave.user.id}`, admin);
    expect(expectEnvelope<UserBody>(res, { status: 200, code: 'SUCCESS', module: 'users' }).data).toMatchObject({ id: dave.user.id, isActive: false });
    expect(await outboxCount(userDeactivatedV1.type)).toBe(deactivated + 1);
    const [{ n }] = await t.env.database.sql<{ n: string }[]>`select count(*) as n from refresh_tokens where user_id = ${dave.user.id} and revoked_at is null`;
    expect(Number(n)).toBe(0);
    expectEnvelope(await call('GET', '/api/v1/users/me', dave.auth), { status: 401, code: 'UNAUTHORIZED' });
    // Again: still 200, no second event.
    expectEnvelope(await call('DELETE', `/api/v1/users/${dave.user.id}`, admin), { status: 200, code: 'SUCCESS' });
    expect(await outboxCount(userDeactivatedV1.type)).toBe(deactivated + 1);
    // Reactivation by PATCH lets them log in again.
    expectEnvelope(await call('PATCH', `/api/v1/users/${dave.user.id}`, admin, { isActive: true }), { status: 200, code: 'SUCCESS' });
    await t.login(dave.user.email);
  });
});
