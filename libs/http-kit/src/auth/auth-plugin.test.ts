import { createSigner } from 'fast-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test/test-app.js';
import { bearer, expectEnvelope, generateTestKeyPair, signTestToken, TEST_AUDIENCE, TEST_ISSUER } from '../testing/index.js';
import type { AccessClaims } from './claims.js';

const key = generateTestKeyPair();
const rotated = generateTestKeyPair();
const stranger = generateTestKeyPair();
const revokedJtis = new Set<string>();

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('access-token verification', () => {
  let app: Awaited<ReturnType<typeof buildTestApp>>['app'];
  beforeAll(async () => {
    ({ app } = await buildTestApp({
      auth: {
        publicKeys: [
          { kid: key.kid, pem: key.publicKeyPem },
          { kid: rotated.kid, pem: rotated.publicKeyPem },
        ],
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        isRevoked: async (claims: AccessClaims) => revokedJtis.has(claims.jti),
      },
    }));
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (url: string, token?: string, raw?: string) =>
    app.inject({ method: 'GET', url, headers: raw !== undefined ? { authorization: raw } : token ? bearer(token) : {} });

  it('accepts a good token and exposes typed claims', async () => {
    const sub = '7d0c3f52-5b1e-4a8e-9f4a-2f6d1c9e8b71';
    const token = signTestToken(key, { sub, role: 'moderator' });
    const body = expectEnvelope(await get('/me', token), { status: 200, code: 'SUCCESS' });
    expect(body.data).toEqual({ sub, role: 'moderator' });
    expectEnvelope(await get('/decorated', token), { status: 200, code: 'SUCCESS' });
  });

  it('selects the key by kid (rotation)', async () => {
    expectEnvelope(await get('/me', signTestToken(rotated)), { status: 200, code: 'SUCCESS' });
  });

  it('requires a role for role-guarded routes', async () => {
    expectEnvelope(await get('/admin', signTestToken(key, { role: 'user' })), { status: 403, code: 'FORBIDDEN' });
    expectEnvelope(await get('/admin', signTestToken(key, { role: 'moderator' })), { status: 403, code: 'FORBIDDEN' });
    expectEnvelope(await get('/admin', signTestToken(key, { role: 'admin' })), { status: 200, code: 'SUCCESS' });
    expectEnvelope(await get('/admin'), { status: 401, code: 'UNAUTHORIZED' });
  });

  it('rejects a revoked token', async () => {
    const jti = 'revoked-jti';
    revokedJtis.add(jti);
    const body = expectEnvelope(await get('/me', signTestToken(key, { jti })), { status: 401, code: 'UNAUTHORIZED' });
    expect(body.message).toMatch(/revoked/);
  });

  it('judges revocation on every request, also for a token verified before (remembered)', async () => {
    const jti = 'revoked-later';
    const token = signTestToken(key, { jti });
    expectEnvelope(await get('/me', token), { status: 200, code: 'SUCCESS' });
    expectEnvelope(await get('/me', token), { status: 200, code: 'SUCCESS' });
    revokedJtis.add(jti);
    expectEnvelope(await get('/me', token), { status: 401, code: 'UNAUTHORIZED' });
  });

  it('tells a missing token from an invalid one', async () => {
    const token = signTestToken(key);
    expect(expectEnvelope(await get('/me', undefined, `Basic ${token}`), { status: 401, code: 'UNAUTHORIZED' }).message).toBe('Missing access token');
    for (const raw of [`Bearer  ${token}`, `Bearer ${token} x`, `Bearer\t${token}`]) {
      expect(expectEnvelope(await get('/me', undefined, raw), { status: 401, code: 'UNAUTHORIZED' }).message).toBe('Invalid access token');
    }
    expectEnvelope(await get('/me', undefined, `bearer ${token}`), { status: 200, code: 'SUCCESS' });
  });

  const now = () => Math.floor(Date.now() / 1000);
  const claims = () => ({ sub: '0b8e5c2a-6f3d-4c1b-8a9e-3d2f1e0c9b8a', role: 'admin', jti: 'j', iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now(), exp: now() + 600 });

  const forgeries: Array<[string, () => string | { raw: string }]> = [
    ['missing header', () => ({ raw: '' })],
    ['not a bearer scheme', () => ({ raw: `Basic ${Buffer.from('a:b').toString('base64')}` })],
    ['bearer without token', () => ({ raw: 'Bearer' })],
    ['malformed token', () => 'not.a.jwt'],
    ['garbage', () => 'abc'],
    ['signed by an unknown key with a known kid', () => signTestToken({ ...stranger, kid: key.kid })],
    ['signed by an unknown key with an unknown kid', () => signTestToken(stranger)],
    ['alg none', () => `${b64url({ alg: 'none', typ: 'JWT', kid: key.kid })}.${b64url(claims())}.`],
    ['alg none without signature part', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}`],
    ['HS256 signed with the public key as secret', () => createSigner({ key: key.publicKeyPem, algorithm: 'HS256', kid: key.kid })(claims())],
    ['RS256 from a key not configured', () => signTestToken(generateTestKeyPair('RS256'), {}, { kid: key.kid })],
    ['payload tampered after signing', () => {
      const [h, , s] = signTestToken(key, { role: 'user' }).split('.');
      return `${h}.${b64url({ ...claims(), role: 'admin' })}.${s}`;
    }],
    ['wrong issuer', () => signTestToken(key, {}, { issuer: 'someone-else' })],
    ['wrong audience', () => signTestToken(key, {}, { audience: 'other-api' })],
    ['expired', () => signTestToken(key, {}, { expiresInSec: -60 })],
    ['missing sub', () => signTestToken(key, { sub: undefined })],
    // fast-jwt checks allowedIss / allowedAud only when the claim is there.
    ['missing iss', () => signTestToken(key, { iss: undefined })],
    ['missing aud', () => signTestToken(key, { aud: undefined })],
    ['an empty aud list', () => signTestToken(key, { aud: [] })],
    ['missing exp', () => createSigner({ key: key.privateKeyPem, algorithm: 'EdDSA', kid: key.kid })({ ...claims(), exp: undefined })],
    ['missing iat', () => createSigner({ key: key.privateKeyPem, algorithm: 'EdDSA', kid: key.kid, noTimestamp: true })({ ...claims(), iat: undefined })],
    ['missing role', () => signTestToken(key, { role: undefined })],
    ['a sub that is not a user id (UUID)', () => signTestToken(key, { sub: 'user-1' })],
    ['missing jti', () => signTestToken(key, { jti: undefined })],
    ['unknown role', () => signTestToken(key, { role: 'superuser' })],
    ['no kid while several keys exist', () => signTestToken(key, {}, { kid: null })],
  ];

  it.each(forgeries)('rejects %s with 401', async (_name, make) => {
    const token = make();
    const res = typeof token === 'string' ? await get('/me', token) : await get('/me', undefined, token.raw || undefined);
    const body = expectEnvelope(res, { status: 401, code: 'UNAUTHORIZED', module: 'users' });
    expect(body.data).toBeNull();
  });

  it('marks guarded routes as secured in OpenAPI', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/me'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/admin'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/decorated'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/health'].get.security).toBeUndefined();
  });

  it('401s on an expired token with a clear message', async () => {
    const body = expectEnvelope(await get('/me', signTestToken(key, {}, { expiresInSec: -60 })), { status: 401, code: 'UNAUTHORIZED' });
    expect(body.message).toBe('Access token expired');
  });
});

describe('auth with a resolver and RS256', () => {
  it('verifies RS256 tokens when configured, through a kid resolver', async () => {
    const rsa = generateTestKeyPair('RS256');
    const { app } = await buildTestApp({
      auth: {
        publicKeys: async (kid) => (kid === rsa.kid ? rsa.publicKeyPem : undefined),
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        algorithms: ['RS256'],
      },
    });
    const ok = await app.inject({ method: 'GET', url: '/me', headers: bearer(signTestToken(rsa)) });
    expectEnvelope(ok, { status: 200, code: 'SUCCESS' });
    const ed = await app.inject({ method: 'GET', url: '/me', headers: bearer(signTestToken(key, {}, { kid: rsa.kid })) });
    expectEnvelope(ed, { status: 401, code: 'UNAUTHORIZED' });
    await app.close();
  });

  it('the issuing service signs with app.jwt.sign and verifies its own tokens', async () => {
    const { app } = await buildTestApp({
      auth: {
        publicKeys: [{ kid: key.kid, pem: key.publicKeyPem }],
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        signing: { kid: key.kid, privateKeyPem: key.privateKeyPem, expiresInSec: 60 },
      },
    });
    const sub = '5a1f0e9d-2c3b-4d4e-8f5a-6b7c8d9e0f1a';
    const token = app.jwt.sign({ sub, role: 'admin', jti: 'jti-9' });
    const decoded = app.jwt.decode<{ header: { kid: string; alg: string }; payload: AccessClaims }>(token);
    expect(decoded?.header).toMatchObject({ kid: key.kid, alg: 'EdDSA' });
    expect(decoded?.payload).toMatchObject({ iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub });
    expect((decoded?.payload.exp ?? 0) - (decoded?.payload.iat ?? 0)).toBe(60);
    const body = expectEnvelope(await app.inject({ method: 'GET', url: '/admin', headers: bearer(token) }), { status: 200, code: 'SUCCESS' });
    expect(body.data).toEqual({ sub });
    await app.close();
  });

  it('a single key accepts tokens without kid', async () => {
    const { app } = await buildTestApp({ auth: { publicKeys: [{ kid: key.kid, pem: key.publicKeyPem }], issuer: TEST_ISSUER, audience: TEST_AUDIENCE } });
    expectEnvelope(await app.inject({ method: 'GET', url: '/me', headers: bearer(signTestToken(key, {}, { kid: null })) }), { status: 200, code: 'SUCCESS' });
    await app.close();
  });
});
