import rateLimit, { type CreateRateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tooManyRequests } from '@platform/http-kit';
import type { GatewayConfig } from './config.js';

const WINDOW_MS = 60_000;
/** Distinct clients (and users) tracked per limiter; the least recently seen are forgotten first. */
const TRACKED_KEYS = 50_000;
/** Probes must never be throttled out of knowing the platform is alive. */
const unlimitedPaths = new Set(['/health', '/ready']);

type Limiter = (request: FastifyRequest) => ReturnType<ReturnType<FastifyInstance['createRateLimit']>>;

/**
 * Two fixed one-minute windows (@fastify/rate-limit stores, in memory): per client address for
 * every request, and per user (the verified `sub`) for requests that carry a token. The client
 * address is the socket's unless TRUST_PROXY is set, so a forged X-Forwarded-For changes nothing.
 * Over the limit: 429 RATE_LIMITED with Retry-After, from the gateway, before any forwarding.
 */
export async function registerRateLimits(app: FastifyInstance, config: GatewayConfig, onRejected?: (scope: 'client' | 'user') => void) {
  await app.register(rateLimit, { global: false });
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

  app.addHook('onRequest', async (request, reply) => {
    if (!unlimitedPaths.has(request.url.split('?')[0] ?? '')) await enforce(perClient, request, reply, 'client');
  });

  /** For routes that verified a token: call after authentication. */
  return async function limitPerUser(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await enforce(perUser, request, reply, 'user');
  };
}
