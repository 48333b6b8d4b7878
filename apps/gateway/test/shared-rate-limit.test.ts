import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { bearer, expectEnvelope, generateTestKeyPair, signTestToken } from '@platform/http-kit/testing';
import { createTcpProxy, type TcpProxy } from '@platform/resilience/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadGatewayConfig, type UpstreamName } from '../src/config.js';
import { until } from './support/until.js';
import { startFakeServices, upstreamEnv, type FakeService } from './support/fake-services.js';

const keys = generateTestKeyPair();
const REDIS = 'redis://127.0.0.1:6379';

/**
 * Two gateways share the real Redis (their own key prefix): one limit across both. The second
 * reaches Redis through a TCP proxy the test cuts, so Redis "fails" for it alone and the shared
 * server every other test uses is never touched.
 */
describe('rate limits shared through Redis (REDIS_URL)', () => {
  let fakes: Record<UpstreamName, FakeService>;
  let proxy: TcpProxy;
  let redis: Redis;
  const prefix = `test:gateway:${randomUUID()}:`;
  let storeErrors = 0;
  let one: Awaited<ReturnType<typeof buildApp>>;
  let two: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    fakes = await startFakeServices(keys);
    proxy = await createTcpProxy('127.0.0.1', 6379);
    redis = new Redis(REDIS, { maxRetriesPerRequest: 1 });
    const config = (redisUrl: string) =>
      loadGatewayConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        ...upstreamEnv(fakes),
        REDIS_URL: redisUrl,
        RATE_LIMIT_REDIS_PREFIX: prefix,
        REDIS_TIMEOUT_MS: '200',
        RATE_LIMIT_PER_CLIENT: '4',
        RATE_LIMIT_PER_USER: '3',
      });
    one = await buildApp(config(REDIS));
    two = await buildApp(config(proxy.url(REDIS)), { onRateLimitStoreError: () => (storeErrors += 1) });
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await proxy?.close();
    if (redis) {
      const stale = await redis.keys(`${prefix}*`);
      if (stale.length > 0) await redis.del(...stale);
      await redis.quit();
    }
    await Promise.all(Object.values(fakes ?? {}).map((fake) => fake.app.close()));
  });

  const jwks = (app: typeof one, remoteAddress: string) => app.inject({ method: 'GET', url: '/api/v1/auth/jwks.json', remoteAddress });

  it('two gateways enforce one per-client limit, and one per-user limit', async () => {
    const statuses: number[] = [];
    for (const app of [one, two, one, two, one, two]) statuses.push((await jwks(app, '10.7.0.1')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expectEnvelope(await jwks(one, '10.7.0.1'), { status: 429, code: 'RATE_LIMITED', module: 'gateway' });
    expect(await redis.exists(`${prefix}client:10.7.0.1`)).toBe(1);

    const alice = bearer(signTestToken(keys, { sub: '33333333-3333-4333-8333-333333333333' }));
    const call = (app: typeof one, address: string) => app.inject({ method: 'GET', url: '/api/v1/billing/echo', headers: alice, remoteAddress: address });
    const perUser = [await call(one, '10.7.1.1'), await call(two, '10.7.1.2'), await call(one, '10.7.1.3'), await call(two, '10.7.1.4')].map((r) => r.statusCode);
    expect(perUser).toEqual([200, 200, 200, 429]);
    expect(storeErrors).toBe(0);
  });

  it('Redis unreachable: the gateway keeps serving (fail open, counted), the other still enforces; limits are back once Redis is', async () => {
    proxy.cut();
    const open: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await jwks(two, '10.7.2.1');
      open.push(res.statusCode);
      // Let through as if first in a fresh window, as @fastify/rate-limit's skipOnError answered.
      expect([res.headers['x-ratelimit-limit'], res.headers['x-ratelimit-remaining'], res.headers['x-ratelimit-reset']]).toEqual(['4', '4', '0']);
    }
    expect(open).toEqual(Array(8).fill(200));
    expect(storeErrors).toBeGreaterThanOrEqual(8);
    expect(two.edgeStats.rateLimitStoreErrors).toBe(storeErrors);
    // The gateway with a working Redis is unaffected.
    const enforced: number[] = [];
    for (let i = 0; i < 5; i++) enforced.push((await jwks(one, '10.7.2.2')).statusCode);
    expect(enforced).toEqual([200, 200, 200, 200, 429]);

    proxy.restore();
    await until(async () => {
      const before = storeErrors;
      await jwks(two, '10.7.2.3');
      return storeErrors === before;
    });
    // Counting again, and shared again: 10.7.2.3 has made one counted request (at least) by now.
    const after: number[] = [];
    for (let i = 0; i < 4; i++) after.push((await jwks(i % 2 ? one : two, '10.7.2.4')).statusCode);
    expect(after).toEqual([200, 200, 200, 200]);
    expect((await jwks(one, '10.7.2.4')).statusCode).toBe(429);
    expect((await jwks(two, '10.7.2.4')).statusCode).toBe(429);
  }, 30_000);
});
