// The token check reads the user as the API shows it straight from Postgres (data/user-view.ts);
// it must be exactly what drizzle's row through `toUserDto` gives, whatever the stored values and
// the session's time zone, and never outlive a change of the row.
import { bearer, expectEnvelope } from '@platform/http-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareUserById } from '../src/data/user-repository.js';
import { prepareUserView } from '../src/data/user-view.js';
import { toUserDto } from '../src/routes/user-dto.js';
import { createUsersTestEnv, uniqueEmail, type UsersTestEnv } from './users-test-env.js';

let t: UsersTestEnv;
beforeAll(async () => {
  t = await createUsersTestEnv();
});
afterAll(async () => {
  await t?.close();
});

const dtoOf = async (id: string) => {
  const row = await prepareUserById(t.env.database.db)(id);
  return row && toUserDto(row);
};
const me = (auth: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: auth });

describe('the user view (the token check\'s read, GET /me\'s answer)', () => {
  it('equals drizzle\'s row through toUserDto: nulls, a login, microseconds, edge milliseconds', async () => {
    const { user } = await t.signUp(uniqueEmail('view'), 'View Me');
    const view = prepareUserView(t.env.database.sql);
    // Signed up and logged in: lastLoginAt set from a JS Date, createdAt from now() (microseconds).
    expect(await view(user.id)).toEqual(await dtoOf(user.id));
    await t.env.database.sql`
      update users set bio = 'multi
line', avatar_url = 'https://example.com/a.png', phone = '+1 555 0100', timezone = 'Asia/Kolkata', language = 'en-GB',
        created_at = '1999-12-31 23:59:59.999999+00', updated_at = '2026-03-04 05:06:07.000001+05:30', last_login_at = null
      where id = ${user.id}`;
    const after = await view(user.id);
    expect(after).toEqual(await dtoOf(user.id));
    expect(after).toMatchObject({ createdAt: '1999-12-31T23:59:59.999Z', updatedAt: '2026-03-03T23:36:07.000Z', lastLoginAt: null });
    expect(after).not.toHaveProperty('passwordHash');
    expect(await view('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('writes UTC whatever the session time zone is', async () => {
    const { user } = await t.signUp(uniqueEmail('zone'));
    const expected = await dtoOf(user.id);
    await t.env.database.sql.begin(async (tx) => {
      await tx`set local timezone = 'America/St_Johns'`;
      const [zone] = await tx<{ TimeZone: string }[]>`show timezone`;
      expect(zone?.TimeZone).toBe('America/St_Johns');
      expect(await prepareUserView(tx)(user.id)).toEqual(expected);
    });
  });

  it('GET /me answers what GET /users/:id (the drizzle read) answers', async () => {
    const { user, auth } = await t.signUp(uniqueEmail('same'), 'Same Answer');
    const mine = expectEnvelope(await me(auth), { status: 200, code: 'SUCCESS', module: 'users' }).data;
    const byId = expectEnvelope(await t.app.inject({ method: 'GET', url: `/api/v1/users/${user.id}`, headers: auth }), { status: 200, code: 'SUCCESS' }).data;
    expect(mine).toEqual(byId);
  });
});

describe('nothing about a token outlives a change of its user\'s row', () => {
  // A change another replica made (straight in the table here): the very next request sees it.
  it('a token of a user demoted elsewhere is refused on the next /me', async () => {
    const { user, auth } = await t.signUp(uniqueEmail('demoted'));
    await t.env.database.sql`update users set role = 'moderator' where id = ${user.id}`;
    const promoted = bearer(t.sign({ sub: user.id, role: 'moderator' }));
    expectEnvelope(await me(promoted), { status: 200, code: 'SUCCESS' });
    expectEnvelope(await me(auth), { status: 401, code: 'UNAUTHORIZED' });
    await t.env.database.sql`update users set role = 'user' where id = ${user.id}`;
    const body = expectEnvelope(await me(promoted), { status: 401, code: 'UNAUTHORIZED' });
    expect(body.message).toMatch(/revoked/i);
    expectEnvelope(await me(auth), { status: 200, code: 'SUCCESS' });
  });

  it('a token of a user deactivated elsewhere is refused on the next /me and PATCH /me, and nothing is written', async () => {
    const { user, auth } = await t.signUp(uniqueEmail('deactivated'), 'Still Here');
    expectEnvelope(await me(auth), { status: 200, code: 'SUCCESS' });
    await t.env.database.sql`update users set is_active = false where id = ${user.id}`;
    expectEnvelope(await me(auth), { status: 401, code: 'UNAUTHORIZED' });
    const patch = await t.app.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: auth, payload: { fullName: 'Gone' } });
    expectEnvelope(patch, { status: 401, code: 'UNAUTHORIZED' });
    expect(await dtoOf(user.id)).toMatchObject({ fullName: 'Still Here', isActive: false });
  });

  it('a user deleted from the table is refused, not answered from an earlier read', async () => {
    const { user, auth } = await t.signUp(uniqueEmail('deleted'));
    expectEnvelope(await me(auth), { status: 200, code: 'SUCCESS' });
    await t.env.database.sql`delete from users where id = ${user.id}`;
    expectEnvelope(await me(auth), { status: 401, code: 'UNAUTHORIZED' });
  });
});
