import { createDecoder, createVerifier, TokenError } from 'fast-jwt';
import { accessClaimsSchema, type AccessClaims } from './claims.js';

/** The public key (PEM) for a token's `kid`: at once (a fixed set of keys) or later (a JWKS fetch). */
export type KeyResolver = (kid: string | undefined) => string | undefined | Promise<string | undefined>;

/** What `createTokenVerifier` answers: the claims, at once for a remembered token whose key resolves at once. */
export type VerifiedClaims = AccessClaims | Promise<AccessClaims>;

export const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as Promise<T> | undefined)?.then === 'function';

export interface TokenVerifierOptions {
  resolveKey: KeyResolver;
  algorithms: Array<'EdDSA' | 'RS256'>;
  issuer: string;
  audience: string;
  clockToleranceMs: number;
  /** Verified tokens kept (oldest out first); 0 verifies every request in full. */
  maxVerified?: number;
}

/**
 * The remembered tokens are found by a number made of a token's last four characters (signature,
 * base64url: 7 bits each, 28 bits, a small integer). A `Map` hashes a string key on every lookup:
 * the whole token was ~2 % of users' `/me` instructions and a 48-character tail still ~0.7 k a
 * request (callgrind, docs/benchmarks.md issue 12 rounds 5 and 12); an integer key is not hashed
 * as a string and no slice is made. The key only finds an entry: a hit is a token equal to the
 * remembered one in full (see below), so two tokens ending alike only take turns in one slot.
 */
const keyOf = (token: string): number => {
  const n = token.length;
  return n < 4 ? -1 - n : ((token.charCodeAt(n - 1) & 0x7f) | ((token.charCodeAt(n - 2) & 0x7f) << 7) | ((token.charCodeAt(n - 3) & 0x7f) << 14) | ((token.charCodeAt(n - 4) & 0x7f) << 21));
};

// fast-jwt checks allowedIss / allowedAud only when the claim is present: a token without
// `iss` or `aud` would pass both. Every claim of docs/contract.md §3 is required.
export const REQUIRED_CLAIMS = ['sub', 'role', 'jti', 'exp', 'iat', 'iss', 'aud'];

interface Verified {
  /** The whole token: a hit is a token equal to this one, character for character. */
  token: string;
  claims: AccessClaims;
  kid: string | undefined;
  /** The key that verified the signature: a hit stands only while `kid` still resolves to it. */
  pem: string;
  /** `exp` plus the tolerance, in ms: fast-jwt's own bound for `exp`. */
  untilMs: number;
}

/**
 * Verifies an access token with fast-jwt (signature, algorithm, issuer, audience, expiry, every
 * required claim) and its claims with `accessClaimsSchema`, remembering the tokens that passed.
 *
 * Why not @fastify/jwt's `request.jwtVerify()` with fast-jwt's cache, as before: per request it
 * merged its options three times, decoded the whole token before the cache, and the cache key was
 * a SHA-512 of the token (fast-jwt's `hashToken`, 5.3 % of users' `/me`; docs/benchmarks.md, issue
 * 12 round 5). fast-jwt takes a cheaper `cacheKeyBuilder`, but then warns at every boot that it
 * cannot know a custom key is collision-free.
 *
 * Here a `Map` finds the entry by the token's last characters (`keyOf`) and the entry holds the
 * whole token: a hit is only a token equal to it, character for character, so no token can ever
 * reach another's entry (no hash of ours, no collision to reason about: two tokens ending alike
 * only take turns in one slot; a Map has no prototype keys either). Only a token that passed every check is stored, and
 * with its claims, not a decision: the caller still runs its revocation check (current role and
 * status) on every request. A hit stands while the token has not expired (fast-jwt's `exp` rule,
 * with the same tolerance) and while its `kid` still resolves to the key that verified it (a
 * resolver backed by a JWKS may drop a key: the token is then verified again, and refused). Each
 * caller gets its own copy of the claims. Bounded: at most `maxVerified` tokens, oldest out.
 */
export function createTokenVerifier(options: TokenVerifierOptions): (token: string) => VerifiedClaims {
  const { resolveKey, maxVerified = 1000 } = options;
  const decode = createDecoder({ complete: true });
  const verifiers = new Map<string, (token: string) => unknown>();
  const verified = new Map<number, Verified>();

  // One fast-jwt verifier per public key, as @fastify/jwt keeps them; no cache of its own.
  function verifierFor(pem: string): (token: string) => unknown {
    let verifier = verifiers.get(pem);
    if (!verifier) {
      verifier = createVerifier({
        key: pem,
        algorithms: options.algorithms,
        allowedIss: options.issuer,
        allowedAud: options.audience,
        requiredClaims: REQUIRED_CLAIMS,
        clockTolerance: options.clockToleranceMs,
        cache: false,
      }) as (token: string) => unknown;
      verifiers.set(pem, verifier);
    }
    return verifier;
  }

  function remember(token: string, entry: Verified): void {
    if (maxVerified <= 0) return;
    if (verified.size >= maxVerified) {
      const oldest = verified.keys().next().value;
      if (oldest !== undefined) verified.delete(oldest);
    }
    verified.set(keyOf(token), entry);
  }

  async function verifyInFull(token: string): Promise<AccessClaims> {
    const kid: unknown = (decode(token) as { header: { kid?: unknown } }).header.kid;
    const keyId = typeof kid === 'string' ? kid : undefined;
    const pem = await resolveKey(keyId);
    if (!pem) throw new TokenError(TokenError.codes.missingKey, `no public key for kid ${String(kid)}`);
    const claims = accessClaimsSchema.safeParse(verifierFor(pem)(token));
    if (!claims.success) throw new TokenError(TokenError.codes.invalidPayload, 'The token claims are invalid.');
    remember(token, { token, claims: claims.data, kid: keyId, pem, untilMs: claims.data.exp * 1000 + options.clockToleranceMs });
    return { ...claims.data };
  }

  function again(token: string): Promise<AccessClaims> {
    verified.delete(keyOf(token));
    return verifyInFull(token);
  }

  // A hit whose key resolves at once is answered without a promise: this runs on every
  // authenticated request, and each promise is an allocation and a microtask turn or two.
  return (token) => {
    const hit = verified.get(keyOf(token));
    if (hit?.token !== token) return verifyInFull(token);
    if (Date.now() > hit.untilMs) return again(token);
    const pem = resolveKey(hit.kid);
    if (!isPromise(pem)) return pem === hit.pem ? { ...hit.claims } : again(token);
    return pem.then((resolved) => (resolved === hit.pem ? { ...hit.claims } : again(token)));
  };
}

/** The message of a verification failure (fast-jwt's error codes; anything else is invalid). */
export function tokenFailureMessage(error: unknown): string {
  return (error as { code?: string } | undefined)?.code === TokenError.codes.expired ? 'Access token expired' : 'Invalid access token';
}
