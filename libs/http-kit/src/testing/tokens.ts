import { randomUUID } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { Role } from '../auth/claims.js';
import type { TestKeyPair } from './keys.js';

export const TEST_ISSUER = 'platform-users';
export const TEST_AUDIENCE = 'platform-api';

export interface TestClaims {
  sub?: string;
  role?: Role | string;
  jti?: string;
  [claim: string]: unknown;
}

export interface SignTestTokenOptions {
  issuer?: string;
  audience?: string;
  /** Seconds; negative gives an already expired token. */
  expiresInSec?: number;
  /** Omit `kid` from the header (or set another one). */
  kid?: string | null;
}

/** A real signed access token, as the users service would issue it. */
export function signTestToken(keyPair: TestKeyPair, claims: TestClaims = {}, options: SignTestTokenOptions = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const expiresInSec = options.expiresInSec ?? 1800;
  const kid = options.kid === undefined ? keyPair.kid : options.kid;
  const sign = createSigner({
    key: keyPair.privateKeyPem,
    algorithm: keyPair.algorithm,
    ...(kid === null ? {} : { kid }),
  });
  return sign({
    sub: randomUUID(),
    role: 'user',
    jti: randomUUID(),
    iss: options.issuer ?? TEST_ISSUER,
    aud: options.audience ?? TEST_AUDIENCE,
    iat: now - (expiresInSec < 0 ? 3600 : 0),
    exp: now + expiresInSec,
    ...claims,
  });
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
