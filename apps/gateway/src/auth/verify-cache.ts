import type { AccessClaims } from '@platform/http-kit';

/** The last header verified on one connection, and its claims. */
interface Remembered {
  readonly header: string;
  readonly claims: AccessClaims;
}

/**
 * Verified access tokens by their exact `Authorization` header value (`Bearer <token>`), until
 * they expire. A client sends the same token for 30 minutes, so most requests skip decoding, key
 * lookup and the signature check. Keyed by the whole header, not the token cut out of it: only a
 * header that passed the strict bearer rule and the verifier is ever stored, so a hit needs no
 * regex over the ~300-character value (4.7 k instructions a request, docs/benchmarks.md, issue 12
 * round 13).
 * Bounded: when full, the oldest entry goes (Map keeps insertion order).
 *
 * Each connection also remembers its last verified header. A keep-alive client sends the same
 * header on every request, and comparing it with the remembered one is much cheaper than the
 * `Map` lookup, which hashes the header afresh on every request (Node parses a new string each
 * time). The remembered entry is what the Map held: a verified header's claims, checked against
 * `exp` on every use. It goes with the connection (a WeakMap).
 */
export function createVerifyCache(maxEntries: number) {
  const entries = new Map<string, AccessClaims>();
  const lastOn = new WeakMap<object, Remembered>();
  return {
    get(header: string, connection?: object, nowSec = Date.now() / 1000): AccessClaims | undefined {
      const last = connection === undefined ? undefined : lastOn.get(connection);
      if (last !== undefined && last.header === header) {
        if (last.claims.exp > nowSec) return last.claims;
        lastOn.delete(connection as object);
      }
      const claims = entries.get(header);
      if (claims && claims.exp > nowSec) {
        if (connection !== undefined) lastOn.set(connection, { header, claims });
        return claims;
      }
      if (claims) entries.delete(header);
      return undefined;
    },
    set(header: string, claims: AccessClaims, connection?: object): void {
      if (maxEntries <= 0) return;
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(header, claims);
      if (connection !== undefined) lastOn.set(connection, { header, claims });
    },
    get size() {
      return entries.size;
    },
  };
}

export type VerifyCache = ReturnType<typeof createVerifyCache>;
