import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateTestKeyPair, signTestToken, TEST_AUDIENCE, TEST_ISSUER } from '../testing/index.js';
import { createTokenVerifier, tokenFailureMessage, type KeyResolver, type VerifiedClaims } from './token-verifier.js';

const key = generateTestKeyPair();
const other = generateTestKeyPair();

function verifierWith(resolveKey: KeyResolver, maxVerified?: number) {
  return createTokenVerifier({ resolveKey, algorithms: ['EdDSA'], issuer: TEST_ISSUER, audience: TEST_AUDIENCE, clockToleranceMs: 0, maxVerified });
}

const failure = (claims: VerifiedClaims) => Promise.resolve(claims).then(() => 'accepted', tokenFailureMessage);

/** A resolver over `keys` answering at once (a fixed set of keys) or later (a JWKS fetch): every rule holds for both. */
const resolvers: Array<[string, (keys: Map<string, string>) => KeyResolver]> = [
  ['at once', (keys) => (kid) => (kid === undefined ? undefined : keys.get(kid))],
  ['later', (keys) => async (kid) => (kid === undefined ? undefined : keys.get(kid))],
];

/** Another character in the middle of `part` (0 header, 1 payload, 2 signature): still base64url. */
function changed(token: string, part: number): string {
  const parts = token.split('.');
  const text = parts[part] as string;
  const at = Math.floor(text.length / 2);
  parts[part] = `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
  return parts.join('.');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createTokenVerifier: tokens that passed are remembered by their exact text', () => {
  it('answers a remembered token with its claims, a copy of its own each time', async () => {
    const verify = verifierWith(async (kid) => (kid === key.kid ? key.publicKeyPem : undefined));
    const token = signTestToken(key, { role: 'moderator' });
    const first = await verify(token);
    const second = await verify(token);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(first).toMatchObject({ role: 'moderator', iss: TEST_ISSUER, aud: TEST_AUDIENCE });
  });

  it('refuses a token one character away from a remembered one: header, payload or signature', async () => {
    const verify = verifierWith(async (kid) => (kid === key.kid ? key.publicKeyPem : undefined));
    const token = signTestToken(key);
    await verify(token);
    for (const part of [0, 1, 2]) expect(await failure(verify(changed(token, part)))).toBe('Invalid access token');
    expect(await failure(verify(`${token}x`))).toBe('Invalid access token');
    expect(await failure(verify(token.slice(0, -1)))).toBe('Invalid access token');
    expect(await failure(verify(token))).toBe('accepted');
  });

  it('finds entries by the token tail but answers only the token remembered in full: a forgery sharing its tail is verified in full and refused', async () => {
    const verify = verifierWith(resolvers[0]![1](new Map([[key.kid, key.publicKeyPem]])));
    const token = signTestToken(key, { role: 'admin' });
    await verify(token);
    // The same signature (so the same tail) on another payload: the remembered entry's slot, another token.
    const [, , signature] = token.split('.');
    const forged = [changed(token, 0).split('.')[0], changed(token, 1).split('.')[1], signature].join('.');
    expect(forged.slice(-48)).toBe(token.slice(-48));
    const forgedAnswer = verify(forged);
    expect(forgedAnswer).toBeInstanceOf(Promise); // not a hit: verified in full
    expect(await failure(forgedAnswer)).toBe('Invalid access token');
    // The forgery neither replaced nor evicted the remembered token.
    const again = verify(token);
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toMatchObject({ role: 'admin' });
  });

  it('answers a remembered token at once (no promise) when its key resolves at once, a copy each time', async () => {
    const verify = verifierWith(resolvers[0]![1](new Map([[key.kid, key.publicKeyPem]])));
    const token = signTestToken(key);
    const first = await verify(token);
    const second = verify(token);
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(await failure(verify(changed(token, 2)))).toBe('Invalid access token');
  });

  it.each(resolvers)('refuses a remembered token once its key is withdrawn (a JWKS rotation), and again while it stays away: key %s', async (_name, resolver) => {
    const keys = new Map([[key.kid, key.publicKeyPem]]);
    const verify = verifierWith(resolver(keys));
    const token = signTestToken(key);
    expect(await failure(verify(token))).toBe('accepted');
    keys.delete(key.kid);
    expect(await failure(verify(token))).toBe('Invalid access token');
    // The kid now names another key: the signature does not verify with it.
    keys.set(key.kid, other.publicKeyPem);
    expect(await failure(verify(token))).toBe('Invalid access token');
    keys.set(key.kid, key.publicKeyPem);
    expect(await failure(verify(token))).toBe('accepted');
  });

  it.each(resolvers)('refuses a remembered token once it has expired: key %s', async (_name, resolver) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verify = verifierWith(resolver(new Map([[key.kid, key.publicKeyPem]])));
    const token = signTestToken(key, {}, { expiresInSec: 60 });
    expect(await failure(verify(token))).toBe('accepted');
    vi.setSystemTime(Date.now() + 59_000);
    expect(await failure(verify(token))).toBe('accepted');
    vi.setSystemTime(Date.now() + 2_000);
    expect(await failure(verify(token))).toBe('Access token expired');
  });

  it('keeps at most maxVerified tokens (the oldest goes first) and still verifies every other one in full', async () => {
    let lookups = 0;
    const verify = verifierWith(async () => {
      lookups += 1;
      return key.publicKeyPem;
    }, 2);
    const [a, b, c] = [signTestToken(key), signTestToken(key), signTestToken(key)] as [string, string, string];
    for (const token of [a, b, c, a, c]) expect(await failure(verify(token))).toBe('accepted');
    // a, b, c: full (3 lookups); a again: evicted by c, full (1); c: remembered (1, the key check).
    expect(lookups).toBe(5);
  });

  it('remembers nothing that failed, and nothing at all with maxVerified 0', async () => {
    const verify = verifierWith(async () => key.publicKeyPem, 0);
    const token = signTestToken(key, {}, { audience: 'other-api' });
    expect(await failure(verify(token))).toBe('Invalid access token');
    expect(await failure(verify(token))).toBe('Invalid access token');
    expect(await failure(verify(signTestToken(key)))).toBe('accepted');
  });
});
