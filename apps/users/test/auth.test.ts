import { createPublicKey, verify } from 'node:crypto';
import { bearer, expectEnvelope } from '@platform/http-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, createUsersTestEnv, PASSWORD, uniqueEmail, type TokenPair, type UsersTestEnv } from './users-test-env.js';

let t: UsersTestEnv;
beforeAll(async () => {
  t = await createUsersTestEnv();
});
afterAll(async () => {
  await t?.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers });
const userCount = async () => Number((await t.env.database.sql<{ n: string }[]>`select count(*) as n from users`)[0]?.n);
const decode = (token: string) => {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>) as [
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  return { header, payload };
};

describe('POST /api/v1/auth/register', () => {
  it('creates a user: 201, the contract shape, normalised e-mail and name, profile defaults, never a hash', async () => {
    const email = uniqueEmail('Mixed');
    const res = await post('/api/v1/auth/register', { email: `  ${email.toUpperCase()} `, password: PASSWORD, fullName: '  Ada Lovelace  ' });
    const body = expectEnvelope<Record<string, unknown>>(res, { status: 201, code: 'SUCCESS', module: 'users' });
    expect(Object.keys(body.data).sort()).toEqual(
      ['id', 'email', 'fullName', 'role', 'isActive', 'createdAt', 'updatedAt', 'lastLoginAt', 'profile'].sort(),
    );
    expect(body.data).toMatchObject({
      email: email.toLowerCase(),
      fullName: 'Ada Lovelace',
      role: 'user',
      isActive: true,
      lastLoginAt: null,
      profile: { bio: null, avatarUrl: null, phone: null, timezone: 'UTC', language: 'en' },
    });
    expect(res.body).not.toMatch(/argon|hash/i);
    const [row] = await t.env.database.sql<{ password_hash: string }[]>`select password_hash from users where id = ${body.data.id as string}`;
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('answers 409 for a taken e-mail, whatever its case, and stores nothing', async () => {
    const email = uniqueEmail('taken');
    await t.register(email);
    const before = await userCount();
    const res = await post('/api/v1/auth/register', { email: email.toUpperCase(), password: PASSWORD, fullName: 'Other' });
    expectEnvelope(res, { status: 409, code: 'CONFLICT', module: 'users' });
    expect(await userCount()).toBe(before);
  });

  const good = () => ({ email: uniqueEmail('bad'), password: PASSWORD, fullName: 'Valid Name' });
  const badBodies: Array<[string, Record<string, unknown>, string]> = [
    ['missing email', { email: undefined }, 'email'],
    ['missing password', { password: undefined }, 'password'],
    ['missing fullName', { fullName: undefined }, 'fullName'],
    ['malformed e-mail', { email: 'not-an-email' }, 'email'],
    ['e-mail over 254 characters', { email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com` }, 'email'],
    ['e-mail of the wrong type', { email: 42 }, 'email'],
    ['password of 7 characters', { password: 'Abcde1!' }, 'password'],
    ['password of 129 characters', { password: `Aa1${'x'.repeat(126)}` }, 'password'],
    ['password without upper case', { password: 'lowercase1' }, 'password'],
    ['password without lower case', { password: 'UPPERCASE1' }, 'password'],
    ['password without a digit', { password: 'NoDigitsHere' }, 'password'],
    ['blank fullName', { fullName: '   ' }, 'fullName'],
    ['fullName of 101 characters', { fullName: 'x'.repeat(101) }, 'fullName'],
    ['NUL in fullName', { fullName: 'Bad\u0000Name' }, 'fullName'],
    ['CR/LF in fullName', { fullName: 'Bad\r\nName' }, 'fullName'],
    ['a right-to-left override in fullName', { fullName: 'Bad \u202EemaN' }, 'fullName'],
    ['an ANSI escape in fullName', { fullName: 'Bad \u001b[1mName' }, 'fullName'],
    ['a C1 control in fullName', { fullName: 'Bad\u009bName' }, 'fullName'],
    ['NUL in e-mail', { email: 'nul\u0000@example.com' }, 'email'],
    ['NUL in password', { password: 'Passw0rd\u0000x' }, 'password'],
    ['mass assignment: role', { role: 'admin' }, 'role'],
    ['mass assignment: isActive', { isActive: false }, 'isActive'],
    ['mass assignment: id', { id: '00000000-0000-4000-8000-000000000000' }, 'id'],
    ['mass assignment: passwordHash', { passwordHash: '$argon2id$...' }, 'passwordHash'],
  ];

  it.each(badBodies)('refuses %s with 400 naming the field, storing nothing', async (_name, change, path) => {
    const before = await userCount();
    const res = await post('/api/v1/auth/register', { ...good(), ...change });
    const body = expectEnvelope<{ issues: Array<{ path: string }> }>(res, { status: 400, code: 'VALIDATION_ERROR', module: 'users' });
    expect(body.data.issues.map((issue) => issue.path)).toContain(path);
    expect(await userCount()).toBe(before);
  });

  it('refuses malformed JSON (400), a non-JSON body (415) and an array (400)', async () => {
    const raw = (payload: string, type: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload, headers: { 'content-type': type } });
    expectEnvelope(await raw('{"email":', 'application/json'), { status: 400, code: 'VALIDATION_ERROR' });
    expectEnvelope(await raw('email=a', 'application/x-www-form-urlencoded'), { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expectEnvelope(await raw('[]', 'application/json'), { status: 400, code: 'VALIDATION_ERROR' });
  });
});

describe('POST /api/v1/auth/login', () => {
  let email: string;
  beforeAll(async () => {
    email = uniqueEmail('login');
    await t.register(email, 'Login User');
  });

  it('gives a Bearer pair with an EdDSA access token carrying the contract claims', async () => {
    const res = await post('/api/v1/auth/login', { email: `  ${email.toUpperCase()}`, password: PASSWORD });
    const body = expectEnvelope<TokenPair>(res, { status: 200, code: 'SUCCESS', module: 'users' });
    expect(body.data).toMatchObject({ tokenType: 'Bearer', expiresIn: 1800 });
    expect(body.data.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { header, payload } = decode(body.data.accessToken);
    expect(header).toMatchObject({ alg: 'EdDSA', kid: t.settings.signingKey.kid });
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'role', 'sub']);
    expect(payload).toMatchObject({ role: 'user', iss: 'platform-users', aud: 'platform-api' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(1800);
    const me = expectEnvelope<{ id: string; lastLoginAt: string | null }>(
      await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(body.data.accessToken) }),
      { status: 200, code: 'SUCCESS' },
    );
    expect(me.data.id).toBe(payload.sub);
    expect(me.data.lastLoginAt).not.toBeNull();
  });

  it('answers an unknown e-mail and a wrong password with the same 401 and message', async () => {
    const wrong = expectEnvelope(await post('/api/v1/auth/login', { email, password: 'Wrong-Passw0rd' }), { status: 401, code: 'UNAUTHORIZED', module: 'users' });
    const unknown = expectEnvelope(await post('/api/v1/auth/login', { email: uniqueEmail('nobody'), password: PASSWORD }), { status: 401, code: 'UNAUTHORIZED', module: 'users' });
    expect(unknown.message).toBe(wrong.message);
    expect(wrong.data).toBeNull();
  });

  it.each([
    ['no password', { email: 'a@example.com' }],
    ['an unknown field', { email: 'a@example.com', password: 'x', remember: true }],
    ['a password over 128 characters', { email: 'a@example.com', password: 'x'.repeat(129) }],
    ['a NUL in the password', { email: 'a@example.com', password: 'a\u0000b' }],
  ])('refuses a body with %s (400)', async (_name, payload) => {
    expectEnvelope(await post('/api/v1/auth/login', payload), { status: 400, code: 'VALIDATION_ERROR' });
  });

  it('a disabled account: 401 for a wrong password, 403 only with the right one', async () => {
    const victim = uniqueEmail('disabled');
    const user = await t.register(victim);
    const admin = await t.adminAuth();
    expectEnvelope(await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${user.id}`, headers: admin }), { status: 200, code: 'SUCCESS' });
    expectEnvelope(await post('/api/v1/auth/login', { email: victim, password: 'Wrong-Passw0rd' }), { status: 401, code: 'UNAUTHORIZED' });
    expectEnvelope(await post('/api/v1/auth/login', { email: victim, password: PASSWORD }), { status: 403, code: 'FORBIDDEN' });
  });

  it('the seeded admin can log in with role admin', async () => {
    const tokens = await t.login(ADMIN_EMAIL, 'Admin-Passw0rd!');
    expect(decode(tokens.accessToken).payload.role).toBe('admin');
  });
});

describe('refresh and logout', () => {
  let email: string;
  beforeAll(async () => {
    email = uniqueEmail('refresh');
    await t.register(email);
  });
  const refresh = (refreshToken: unknown) => post('/api/v1/auth/refresh', { refreshToken });

  it('rotates: a new pair, the old refresh token stops working', async () => {
    const first = await t.login(email);
    const res = await refresh(first.refreshToken);
    const second = expectEnvelope<TokenPair>(res, { status: 200, code: 'SUCCESS', module: 'users' }).data;
    expect(second).toMatchObject({ tokenType: 'Bearer', expiresIn: 1800 });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expectEnvelope(await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(second.accessToken) }), { status: 200, code: 'SUCCESS' });
    const third = expectEnvelope<TokenPair>(await refresh(second.refreshToken), { status: 200, code: 'SUCCESS' }).data;
    expect(third.refreshToken).not.toBe(second.refreshToken);
  });

  it('reuse of a used token revokes the whole family (401), other logins live on', async () => {
    const stolen = await t.login(email);
    const otherLogin = await t.login(email);
    const next = expectEnvelope<TokenPair>(await refresh(stolen.refreshToken), { status: 200, code: 'SUCCESS' }).data;
    expectEnvelope(await refresh(stolen.refreshToken), { status: 401, code: 'UNAUTHORIZED', module: 'users' });
    // The legitimate successor is gone too: the family is revoked.
    expectEnvelope(await refresh(next.refreshToken), { status: 401, code: 'UNAUTHORIZED' });
    expectEnvelope(await refresh(otherLogin.refreshToken), { status: 200, code: 'SUCCESS' });
  });

  it('two concurrent refreshes with one token: exactly one wins', async () => {
    const tokens = await t.login(email);
    const results = await Promise.all([refresh(tokens.refreshToken), refresh(tokens.refreshToken)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('refuses unknown tokens (401) and bad bodies (400)', async () => {
    expectEnvelope(await refresh('A'.repeat(43)), { status: 401, code: 'UNAUTHORIZED' });
    expectEnvelope(await refresh(''), { status: 400, code: 'VALIDATION_ERROR' });
    expectEnvelope(await refresh(12), { status: 400, code: 'VALIDATION_ERROR' });
    expectEnvelope(await refresh('a\u0000b'), { status: 400, code: 'VALIDATION_ERROR' });
    expectEnvelope(await post('/api/v1/auth/refresh', { refreshToken: 'x', userId: 'y' }), { status: 400, code: 'VALIDATION_ERROR' });
  });

  it('refuses an expired refresh token', async () => {
    const tokens = await t.login(email);
    await t.env.database.sql`update refresh_tokens set expires_at = now() - interval '1 second' where revoked_at is null and used_at is null and expires_at > now() and created_at = (select max(created_at) from refresh_tokens)`;
    expectEnvelope(await refresh(tokens.refreshToken), { status: 401, code: 'UNAUTHORIZED' });
  });

  it('logout: 200, that refresh token stops working; unknown tokens are fine (idempotent)', async () => {
    const tokens = await t.login(email);
    const res = await post('/api/v1/auth/logout', { refreshToken: tokens.refreshToken });
    const body = expectEnvelope(res, { status: 200, code: 'SUCCESS', module: 'users' });
    expect(body.data).toBeNull();
    expectEnvelope(await refresh(tokens.refreshToken), { status: 401, code: 'UNAUTHORIZED' });
    expectEnvelope(await post('/api/v1/auth/logout', { refreshToken: tokens.refreshToken }), { status: 200, code: 'SUCCESS' });
    expectEnvelope(await post('/api/v1/auth/logout', {}), { status: 400, code: 'VALIDATION_ERROR' });
  });
});

describe('GET /api/v1/auth/jwks.json', () => {
  it('is a JWK Set (not an envelope) whose key verifies a token the service signed', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/jwks.json' });
    expect(res.statusCode).toBe(200);
    const jwks = res.json() as { keys: Array<Record<string, string>>; code?: string };
    expect(jwks.code).toBeUndefined();
    expect(jwks.keys).toHaveLength(1);
    const [jwk] = jwks.keys;
    expect(jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: t.settings.signingKey.kid, alg: 'EdDSA', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');

    const token = (await t.login(ADMIN_EMAIL, 'Admin-Passw0rd!')).accessToken;
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const key = createPublicKey({ key: jwk as object as import('node:crypto').JsonWebKey, format: 'jwk' });
    expect(verify(null, Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(verify(null, Buffer.from(`${header}.${payload}x`), key, Buffer.from(signature, 'base64url'))).toBe(false);
  });
});
