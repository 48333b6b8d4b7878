import LocalStore from '@fastify/rate-limit/store/LocalStore.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tooManyRequests } from '@platform/http-kit';
import type { GatewayConfig } from '../config.js';
import { pathOf } from '../proxy/routes-table.js';
import { createSharedStore, type CounterStore } from './shared-store.js';

const WINDOW_MS = 60_000;
/** Distinct clients (and users) tracked per limiter; the least recently seen are forgotten first. */
const TRACKED_KEYS = 50_000;
/** Probes must never be throttled out of knowing the platform is alive. */
const unlimitedPaths = new Set(['/health', '/ready']);

type Done = (error?: Error) => void;

export interface RateLimits {
  /** For routes that verified a token: call after authentication; `done` as a callback hook's. */
  perUser(request: FastifyRequest, reply: FastifyReply, done: Done): void;
  /** Failed store commands (Redis), each a request let through. */
  storeErrors(): number;
}

export interface RateLimitHooks {
  /** A failed store command (Redis): the request was let through. */
  onStoreError?: (error: Error) => void;
  /** A request refused with 429, by the limit that refused it. */
  onRejected?: (scope: 'client' | 'user') => void;
}

/**
 * Two fixed one-minute windows: per client address for every request, and per user (the verified
 * `sub`) for requests that carry a token. The counting is @fastify/rate-limit's own, through its
 * store interface: its in-memory LRU store (per process) or, when configured, its Redis store
 * (one limit across every gateway replica; fail open when Redis fails, see shared-store.ts). The
 * stores are called directly with a callback, as the plugin's `createRateLimit` calls them, minus
 * its per-call async chain (`await` of the key, a promise around the store, `request.routeOptions`):
 * ~2.5 µs a limiter a request in the gateway's profile, twice on a request with a token
 * (docs/benchmarks.md). Same keys, same windows, same headers, same 429.
 * The client address is the socket's unless TRUST_PROXY is set, so a forged X-Forwarded-For changes nothing.
 * Over the limit: 429 RATE_LIMITED with Retry-After, from the gateway, before any forwarding.
 */
export async function registerRateLimits(app: FastifyInstance, config: GatewayConfig, hooks: RateLimitHooks = {}): Promise<RateLimits> {
  const { onRejected } = hooks;
  const { redis } = config.rateLimit;
  const shared = redis ? await createSharedStore({ ...redis, logger: app.log as never, onError: hooks.onStoreError }) : undefined;
  if (shared) {
    app.addHook('onReady', () => shared.connected());
    app.addHook('onClose', () => shared.close());
  }
  // What the plugin gave each `createRateLimit` limiter: the shared store, or its own LRU.
  const storeFor = (): CounterStore => shared?.store ?? new LocalStore(false, false, TRACKED_KEYS);

  function limiter(max: number, scope: 'client' | 'user', key: (request: FastifyRequest) => string) {
    const store = storeFor();
    return function enforce(request: FastifyRequest, reply: FastifyReply, done: Done): void {
      store.incr(
        key(request),
        (error, result) => {
          // A failed store command lets the request through (the plugin's `skipOnError`), as if first in its window.
          const current = error || !result ? 0 : result.current;
          const ttlInSeconds = error || !result ? 0 : Math.ceil(result.ttl / 1000);
          if (current > max) {
            request.log.info({ scope }, 'rate limited');
            onRejected?.(scope);
            done(tooManyRequests(ttlInSeconds, 'Too many requests, retry later'));
            return;
          }
          if (scope === 'client') {
            reply.header('x-ratelimit-limit', max).header('x-ratelimit-remaining', Math.max(0, max - current)).header('x-ratelimit-reset', ttlInSeconds);
          }
          done();
        },
        WINDOW_MS,
        max,
      );
    };
  }
  const perClient = limiter(config.rateLimit.perClient, 'client', (request) => `client:${request.ip}`);
  // The key of a verified token's user, kept with its claims (the verify cache hands out the same
  // claims object for every request with that token): the same string each time, its hash
  // computed once, instead of a new `user:<uuid>` string to build and hash per request.
  const userKeys = new WeakMap<object, string>();
  const perUser = limiter(config.rateLimit.perUser, 'user', (request) => {
    const claims = request.user;
    let key = userKeys.get(claims);
    if (key === undefined) {
      key = `user:${claims.sub}`;
      userKeys.set(claims, key);
    }
    return key;
  });

  app.addHook('onRequest', (request, reply, done) => {
    if (unlimitedPaths.has(pathOf(request.url))) done();
    else perClient(request, reply, done);
  });

  return {
    perUser,
    storeErrors: () => shared?.errors() ?? 0,
  };
}
