import type { AccessClaims } from '@platform/http-kit';

/**
 * Verified access tokens by their exact string, until they expire. A client sends the same
 * token for 30 minutes, so most requests skip decoding, key lookup and the signature check.
 * Bounded: when full, the oldest entry goes (Map keeps insertion order).
 */
export function createVerifyCache(maxEntries: number) {
  const entries = new Map<string, AccessClaims>();
  return {
    get(token: string, nowSec = Date.now() / 1000): AccessClaims | undefined {
      const claims = entries.get(token);
      if (claims && claims.exp > nowSec) return claims;
      if (claims) entries.delete(token);
      return undefined;
    },
    set(token: string, claims: AccessClaims): void {
      if (maxEntries <= 0) return;
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(token, claims);
    },
    get size() {
      return entries.size;
    },
  };
}

export type VerifyCache = ReturnType<typeof createVerifyCache>;
