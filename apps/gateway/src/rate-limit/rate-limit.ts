import rateLimit, { type CreateRateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tooManyRequests } from '@platform/http-kit';
import type { GatewayConfig } from '../config.js';
import { pathOf } from '../proxy/routes-table.js';
import { createSharedStore } from './shared-store.js';

const WINDOW_MS = 60_000;
/** Distinct clients (and users) tracked per limiter; the least recently seen are forgotten first. */
const TRACKED_KEYS = 50_000;
/** Probes must never be throttled out of knowing the platform is alive. */
const unlimitedPaths = new Set(['/health', '/ready']);

type Limiter = (request: FastifyRequest) => ReturnType<ReturnType<FastifyInstance['createRateLimit']>>;

export interface RateLimits {
  /** For routes that verified a token: call after authentication. */
  perUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Failed store commands (Redis), each a request let through. */
  storeErrors(): number;
}

/**
 * Two fixed one-minute windows (@fastify/rate-limit): per client address for every request, and
 * per user (the verified `sub`) for requests that carry a token. The counters are in Redis when
 * configured (one limit across every gateway replica; fail open when Redis fails, see
 * shared-store.ts), else in memory (per process). The client address is the socket's unless
 * TRUST_PROXY is set, so a forged X-Forwarded-For changes nothing.
 * Over the limit: 429 RATE_LIMITED with Retry-After, from the gateway, before any forwarding.
 */
export interface RateLimitHooks {
  /** A failed store command (Redis): the request was let through. */
  onStoreError?: (error: Error) => void;
  /** A request refused with 429, by the limit that refused it. */
  onRejected?: (scope: 'client' | 'user') => void;
}

export async function registerRateLimits(app: FastifyInstance, config: GatewayConfig, hooks: RateLimitHooks = {}): Promise<RateLimits> {
  const { onRejected } = hooks;
  const { redis } = config.rateLimit;
  const shared = redis ? await createSharedStore({ ...redis, logger: app.log as never, onError: hooks.onStoreError }) : undefined;
  if (shared) {
    app.addHook('onReady', () => shared.connected());
    app.addHook('onClose', () => shared.close());
  }
  await app.register(rateLimit, { global: false, ...(shared ? { store: shared.Store, skipOnError: true } : {}) } as never);
  const limiter = (max: number, key: (request: FastifyRequest) => string): Limiter =>
    app.createRateLimit({ max, timeWindow: WINDOW_MS, keyGenerator: key, cache: TRACKED_KEYS } as CreateRateLimitOptions);
  const perClient = limiter(config.rateLimit.perClient, (request) => `client:${request.ip}`);
  const perUser = limiter(config.rateLimit.perUser, (request) => `user:${request.user.sub}`);

  async function enforce(check: Limiter, request: FastifyRequest, reply: FastifyReply, scope: 'client' | 'user'): Promise<void> {
    const result = await check(request);
    if (result.isAllowed) return;
    if (result.isExceeded) {
      request.log.info({ scope }, 'rate limited');
      onRejected?.(scope);
      throw tooManyRequests(result.ttlInSeconds, 'Too many requests, retry later');
    }
    if (scope === 'client') {
      reply.header('x-ratelimit-limit', result.max).header('x-ratelimit-remaining', result.remaining).header('x-ratelimit-reset', result.ttlInSeconds);
    }
  }

  app.addHook('onRequest', (request, reply, done) => {
    if (unlimitedPaths.has(pathOf(request.url))) done();
    else enforce(perClient, request, reply, 'client').then(() => done(), done);
  });

  return {
    perUser: (request, reply) => enforce(perUser, request, reply, 'user'),
    storeErrors: () => shared?.errors() ?? 0,
  };
}
