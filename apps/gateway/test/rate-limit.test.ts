import { bearer, expectEnvelope, generateTestKeyPair, signTestToken } from '@platform/http-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadGatewayConfig, type UpstreamName } from '../src/config.js';
import { startFakeServices, upstreamEnv, type FakeService } from './support/fake-services.js';

const keys = generateTestKeyPair();

describe('gateway rate limits', () => {
  let fakes: Record<UpstreamName, FakeService>;
  const build = (env: Record<string, string>) =>
    buildApp(loadGatewayConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...upstreamEnv(fakes), ...env }));

  beforeAll(async () => {
    fakes = await startFakeServices(keys);
  });

  afterAll(async () => {
    await Promise.all(Object.values(fakes ?? {}).map((fake) => fake.app.close()));
  });

  it('429 RATE_LIMITED with Retry-After per client address, before forwarding; other clients unaffected', async () => {
    const app = await build({ RATE_LIMIT_PER_CLIENT: '3', RATE_LIMIT_PER_USER: '100' });
    const from = (remoteAddress: string) => app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, headers: { 'content-type': 'application/json' }, payload: '{}' });
    for (let i = 0; i < 3; i += 1) expect((await from('10.0.0.1')).statusCode).toBe(200);
    const before = fakes.users.hits.length;
    const limited = await from('10.0.0.1');
    expectEnvelope(limited, { status: 429, code: 'RATE_LIMITED', module: 'gateway' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(fakes.users.hits.length).toBe(before);
    expect((await from('10.0.0.2')).statusCode).toBe(200);
    // Probes are never throttled.
    expect((await app.inject({ method: 'GET', url: '/health', remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
    await app.close();
  });

  it('tells each client its limit, what is left and when the window resets; a 429 only Retry-After', async () => {
    const app = await build({ RATE_LIMIT_PER_CLIENT: '3', RATE_LIMIT_PER_USER: '2' });
    const token = bearer(signTestToken(keys, { sub: '33333333-3333-4333-8333-333333333333' }));
    const call = (headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: '/api/v1/billing/echo', remoteAddress: '10.2.0.1', headers: { ...token, ...headers } });
    const answers = [await call(), await call(), await call(), await call()];
    expect(answers.map((res) => res.statusCode)).toEqual([200, 200, 429, 429]);
    // The client's limit speaks in headers (the per-user limit never does); the user's refused the third.
    expect(answers.slice(0, 2).map((res) => [res.headers['x-ratelimit-limit'], res.headers['x-ratelimit-remaining']])).toEqual([['3', '2'], ['3', '1']]);
    for (const res of answers.slice(0, 2)) {
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
      expect(Number(res.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(60);
    }
    // Third: the client had one left (headers set), the user was over (429); fourth: the client is over too.
    for (const res of answers.slice(2)) {
      expectEnvelope(res, { status: 429, code: 'RATE_LIMITED', module: 'gateway' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(answers[2]?.headers['x-ratelimit-remaining']).toBe('0');
    expect(answers[3]?.headers['x-ratelimit-remaining']).toBeUndefined();
    expect(answers[3]?.headers['x-ratelimit-limit']).toBeUndefined();
    expect((await app.inject({ method: 'GET', url: '/health', remoteAddress: '10.2.0.1' })).headers['x-ratelimit-limit']).toBeUndefined();
    await app.close();
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const direct = await build({ RATE_LIMIT_PER_CLIENT: '2' });
    const spoof = (app: typeof direct, xff: string) => app.inject({ method: 'GET', url: '/api/v1/auth/jwks.json', remoteAddress: '10.0.0.9', headers: { 'x-forwarded-for': xff } });
    expect((await spoof(direct, '1.1.1.1')).statusCode).toBe(200);
    expect((await spoof(direct, '1.1.1.2')).statusCode).toBe(200);
    expect((await spoof(direct, '1.1.1.3')).statusCode).toBe(429);
    await direct.close();

    const proxied = await build({ RATE_LIMIT_PER_CLIENT: '2', TRUST_PROXY: 'true' });
    for (const xff of ['1.1.1.1', '1.1.1.2', '1.1.1.3']) expect((await spoof(proxied, xff)).statusCode).toBe(200);
    const echo = await proxied.inject({ method: 'GET', url: '/api/v1/billing/echo', remoteAddress: '10.0.0.9', headers: { ...bearer(signTestToken(keys)), 'x-forwarded-for': '1.1.1.4' } });
    expect(echo.json().data.headers['x-forwarded-for']).toBe('1.1.1.4');
    await proxied.close();
  });

  it('429 per user (the verified sub), whatever address the user comes from', async () => {
    const app = await build({ RATE_LIMIT_PER_CLIENT: '100', RATE_LIMIT_PER_USER: '2' });
    const alice = bearer(signTestToken(keys, { sub: '11111111-1111-4111-8111-111111111111' }));
    const aliceAgain = bearer(signTestToken(keys, { sub: '11111111-1111-4111-8111-111111111111' }));
    const bob = bearer(signTestToken(keys, { sub: '22222222-2222-4222-8222-222222222222' }));
    const call = (headers: Record<string, string>, remoteAddress: string) => app.inject({ method: 'GET', url: '/api/v1/billing/echo', headers, remoteAddress });
    expect((await call(alice, '10.1.0.1')).statusCode).toBe(200);
    expect((await call(aliceAgain, '10.1.0.2')).statusCode).toBe(200);
    const limited = await call(alice, '10.1.0.3');
    expectEnvelope(limited, { status: 429, code: 'RATE_LIMITED', module: 'gateway' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call(bob, '10.1.0.1')).statusCode).toBe(200);
    await app.close();
  });
});
