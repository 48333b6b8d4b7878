import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { Logger } from '@platform/logging';
import { httpGet } from '../http-get.js';

export interface JwksCacheOptions {
  /** The JWKS of every users replica (they publish the same keys); tried in turn until one answers. */
  urls: string[];
  fetchTimeoutMs: number;
  /** Keys older than this are re-fetched on next use (rotation removes old keys). */
  maxAgeMs: number;
  /** An unknown `kid` triggers at most one re-fetch per this period: forged kids cannot hammer users. */
  unknownKidCooldownMs: number;
  logger: Logger;
}

/** After a failed fetch, a background refresh of stale keys waits this long before trying again. */
const RETRY_AFTER_FAILURE_MS = 1_000;

export interface JwksCache {
  /** PEM public key for `kid`, or undefined (unknown kid, or the JWKS unreachable). */
  resolve(kid: string | undefined): Promise<string | undefined>;
  refresh(): Promise<void>;
  /** False until a fetch succeeds, and after one fails: an unknown kid may then just be unverifiable. */
  readonly available: boolean;
  /** How many fetches were attempted (tests and diagnostics). */
  readonly fetches: number;
}

function toPemByKid(body: unknown): Map<string, string> {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('JWKS has no keys array');
  const byKid = new Map<string, string>();
  for (const jwk of keys as Array<JsonWebKey & { kid?: unknown; use?: unknown }>) {
    if (typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    // A private member in a published JWK would be a serious leak upstream; never use such a key.
    if ('d' in jwk) continue;
    byKid.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString());
  }
  return byKid;
}

/** The users service's public keys, fetched from its JWKS and kept in memory. */
export function createJwksCache(options: JwksCacheOptions): JwksCache {
  let keys = new Map<string, string>();
  let fetchedAt = 0;
  let nextAllowedAt = 0;
  let inFlight: Promise<void> | undefined;
  let fetches = 0;
  let available = false;

  let first = 0;

  async function fetchFrom(url: string): Promise<Map<string, string>> {
    const answer = await httpGet(url, { timeoutMs: options.fetchTimeoutMs, accept: 'application/json' });
    if (!answer.ok) throw new Error(`JWKS answered ${answer.status}`);
    return toPemByKid(JSON.parse(answer.body));
  }

  /** One replica after another (starting with the next one each time) until one answers. */
  async function fetchAny(): Promise<Map<string, string>> {
    first = (first + 1) % options.urls.length;
    let lastError: unknown;
    for (let i = 0; i < options.urls.length; i++) {
      const url = options.urls[(first + i) % options.urls.length] as string;
      try {
        return await fetchFrom(url);
      } catch (error) {
        lastError = error;
        options.logger.warn({ url, reason: (error as Error).message }, 'JWKS fetch failed');
      }
    }
    throw lastError;
  }

  async function fetchKeys(): Promise<void> {
    fetches += 1;
    try {
      keys = await fetchAny();
      fetchedAt = Date.now();
      available = true;
      nextAllowedAt = fetchedAt + options.unknownKidCooldownMs;
    } catch {
      // Keep the keys we had: a users restart must not log everybody out at the edge.
      nextAllowedAt = Date.now() + RETRY_AFTER_FAILURE_MS;
      available = false;
    }
  }

  function refresh(): Promise<void> {
    inFlight ??= fetchKeys().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    async resolve(kid) {
      if (kid === undefined) return undefined;
      const known = keys.get(kid);
      if (known) {
        // Old keys still verify while a fresh copy is fetched in the background.
        if (Date.now() - fetchedAt > options.maxAgeMs && Date.now() >= nextAllowedAt) void refresh();
        return known;
      }
      // Without any good fetch yet (users starting or down) every lookup may try, one fetch at a
      // time; after a good one, unknown kids wait for the cooldown.
      if (inFlight || !available || Date.now() >= nextAllowedAt) await refresh();
      return keys.get(kid);
    },
    refresh,
    get available() {
      return available;
    },
    get fetches() {
      return fetches;
    },
  };
}
