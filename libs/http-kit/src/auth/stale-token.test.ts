import { describe, expect, it } from 'vitest';
import { isStaleToken, knownUser, refuseStaleTokens, type KnownUserState } from './stale-token.js';

const at = (iso: string) => new Date(iso);
const iat = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const admin = { role: 'admin' as const, iat: iat('2030-01-01T10:00:00Z') };

describe('isStaleToken', () => {
  it('refuses any token of a deactivated user', () => {
    expect(isStaleToken(admin, { isActive: false, role: { name: 'admin', since: at('2030-01-01T09:00:00Z') } })).toBe(true);
    expect(isStaleToken(admin, { isActive: false })).toBe(true);
  });

  it('refuses a token issued before its user got another role (a demoted admin)', () => {
    const demoted: KnownUserState = { isActive: true, role: { name: 'user', since: at('2030-01-01T10:05:00Z') } };
    expect(isStaleToken(admin, demoted)).toBe(true);
    // Same second as the change: the token cannot be newer than it.
    expect(isStaleToken(admin, { isActive: true, role: { name: 'user', since: at('2030-01-01T10:00:00.400Z') } })).toBe(true);
  });

  it('keeps a token whose role is the known one, or newer than what is known (a projection still behind a promotion)', () => {
    expect(isStaleToken(admin, { isActive: true, role: { name: 'admin', since: at('2030-01-01T11:00:00Z') } })).toBe(false);
    expect(isStaleToken(admin, { isActive: true, role: { name: 'user', since: at('2030-01-01T09:59:59Z') } })).toBe(false);
    expect(isStaleToken(admin, { isActive: true })).toBe(false);
  });

  it('the owner of users (no `since`) refuses any token whose role differs', () => {
    expect(isStaleToken(admin, { isActive: true, role: { name: 'user' } })).toBe(true);
    expect(isStaleToken(admin, { isActive: true, role: { name: 'admin' } })).toBe(false);
  });
});

describe('knownUser', () => {
  it('keeps a role only with the time it was set', () => {
    const since = at('2030-01-01T10:00:00Z');
    expect(knownUser(true, 'admin', since)).toEqual({ isActive: true, role: { name: 'admin', since } });
    expect(knownUser(true, 'admin', null)).toEqual({ isActive: true });
    expect(knownUser(false, null, since)).toEqual({ isActive: false });
  });
});

describe('refuseStaleTokens', () => {
  const claims = { sub: '7d0c3f52-5b1e-4a8e-9f4a-2f6d1c9e8b71', role: 'user' as const, jti: 'j', iat: iat('2030-01-01T10:00:00Z'), exp: 0, iss: 'i', aud: 'a' };

  it('accepts users a projection has not heard of, unless told to refuse them', async () => {
    expect(await refuseStaleTokens(async () => undefined)(claims)).toBe(false);
    expect(await refuseStaleTokens(async () => undefined, { unknownUser: 'refuse' })(claims)).toBe(true);
  });

  it('looks the token subject up', async () => {
    const seen: string[] = [];
    const check = refuseStaleTokens(async (userId) => {
      seen.push(userId);
      return { isActive: false };
    });
    expect(await check(claims)).toBe(true);
    expect(seen).toEqual([claims.sub]);
  });
});
