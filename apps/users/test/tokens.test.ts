import { createSigner } from 'fast-jwt';
import { bearer, expectEnvelope, generateTestKeyPair, signTestToken } from '@platform/http-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsersTestEnv, uniqueEmail, type UserBody, type UsersTestEnv } from './users-test-env.js';

let t: UsersTestEnv;
let user: UserBody;
let accessToken: string;
beforeAll(async () => {
  t = await createUsersTestEnv();
  const signedUp = await t.signUp(uniqueEmail('tokens'));
  user = signedUp.user;
  accessToken = signedUp.tokens.accessToken;
});
afterAll(async () => {
  await t?.close();
});

const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers });
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe('access-token verification at the users service', () => {
  it('accepts its own token and a token of its key with the right claims', async () => {
    expectEnvelope(await me(bearer(accessToken)), { status: 200, code: 'SUCCESS', module: 'users' });
    expectEnvelope(await me(bearer(t.sign({ sub: user.id, role: 'user' }))), { status: 200, code: 'SUCCESS' });
  });

  const forgeries: Array<[string, () => Record<string, string>]> = [
    ['no token', () => ({})],
    ['a non-bearer scheme', () => ({ authorization: 'Basic YTpi' })],
    ['garbage', () => bearer('garbage')],
    ['alg none', () => {
      const claims = { sub: user.id, role: 'admin', jti: 'j', iss: 'platform-users', aud: 'platform-api', iat: now(), exp: now() + 600 };
      return bearer(`${b64url({ alg: 'none', typ: 'JWT', kid: t.settings.signingKey.kid })}.${b64url(claims)}.`);
    }],
    ['a tampered payload (role raised to admin)', () => {
      const [header, payload, signature] = accessToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      return bearer(`${header}.${b64url({ ...claims, role: 'admin' })}.${signature}`);
    }],
    ['HS256 signed with the public key as the secret', () => {
      const sign = createSigner({ key: t.settings.signingKey.publicKeyPem, algorithm: 'HS256', kid: t.settings.signingKey.kid });
      return bearer(sign({ sub: user.id, role: 'user', jti: 'j', iss: 'platform-users', aud: 'platform-api' }));
    }],
    ['a wrong issuer', () => bearer(t.sign({ sub: user.id }, { issuer: 'evil-issuer' }))],
    ['a wrong audience', () => bearer(t.sign({ sub: user.id }, { audience: 'other-api' }))],
    ['an expired token', () => bearer(t.sign({ sub: user.id }, { expiresInSec: -60 }))],
    ['an unknown kid', () => bearer(t.sign({ sub: user.id }, { kid: 'unknown-kid' }))],
    ['a stranger key claiming our kid', () => bearer(signTestToken({ ...generateTestKeyPair(), kid: t.settings.signingKey.kid }, { sub: user.id }))],
    ['a subject that is no user', () => bearer(t.sign({ sub: '00000000-0000-4000-8000-000000000000' }))],
    ['a subject that is not a UUID', () => bearer(t.sign({ sub: 'not-a-uuid' }))],
    ['a role the user does not have', () => bearer(t.sign({ sub: user.id, role: 'admin' }))],
  ];

  it.each(forgeries)('refuses %s with 401 in the envelope', async (_name, headers) => {
    const body = expectEnvelope(await me(headers()), { status: 401, code: 'UNAUTHORIZED', module: 'users' });
    expect(body.data).toBeNull();
  });
});

describe('revocation through the user record', () => {
  it('a deactivated user\'s access token stops working at once', async () => {
    const victim = await t.signUp(uniqueEmail('deact'));
    expectEnvelope(await me(victim.auth), { status: 200, code: 'SUCCESS' });
    const admin = await t.adminAuth();
    expectEnvelope(await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${victim.user.id}`, headers: admin }), { status: 200, code: 'SUCCESS' });
    const body = expectEnvelope(await me(victim.auth), { status: 401, code: 'UNAUTHORIZED' });
    expect(body.message).toMatch(/revoked/i);
    // Its refresh tokens were revoked with it.
    const refreshed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: victim.tokens.refreshToken } });
    expectEnvelope(refreshed, { status: 401, code: 'UNAUTHORIZED' });
  });

  it('a role change invalidates tokens with the old role; a refresh gives the new one', async () => {
    const promoted = await t.signUp(uniqueEmail('promo'));
    const admin = await t.adminAuth();
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${promoted.user.id}`, headers: admin, payload: { role: 'moderator' } });
    expectEnvelope(patch, { status: 200, code: 'SUCCESS' });
    expectEnvelope(await me(promoted.auth), { status: 401, code: 'UNAUTHORIZED' });
    const refreshed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: promoted.tokens.refreshToken } });
    const pair = expectEnvelope<{ accessToken: string }>(refreshed, { status: 200, code: 'SUCCESS' }).data;
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(pair.accessToken) });
    expectEnvelope(list, { status: 200, code: 'SUCCESS' });
  });
});
