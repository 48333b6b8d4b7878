import { bearer, expectEnvelope, generateTestKeyPair, rawExchange, signTestToken } from '@platform/http-kit/testing';
import { promtoolCheck, sampleValue, samplesOf } from '@platform/metrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadGatewayConfig, upstreamNames, type UpstreamName } from '../src/config.js';
import { deadUrl, startFakeServices, upstreamEnv, type FakeService } from './support/fake-services.js';

const keys = generateTestKeyPair();
type Gateway = Awaited<ReturnType<typeof buildApp>>;

describe('gateway metrics', () => {
  let fakes: Record<UpstreamName, FakeService>;
  let app: Gateway;
  const token = signTestToken(keys, { role: 'user' });
  const metricsToken = 'gateway-scrape-token-0123';

  beforeAll(async () => {
    fakes = await startFakeServices(keys);
    const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', UPSTREAM_TIMEOUT_MS: '500', RATE_LIMIT_PER_USER: '5', METRICS_TOKEN: metricsToken, ...upstreamEnv(fakes) };
    app = await buildApp(loadGatewayConfig({ ...env, ANALYTICS_URL: await deadUrl() }));
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all(Object.values(fakes ?? {}).map((fake) => fake.app.close()));
  });

  const scrape = async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(metricsToken) });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  const get = (path: string, headers: Record<string, string> = bearer(token)) => app.inject({ method: 'GET', url: path, headers });

  it('counts forwarded requests per upstream and status class, timeouts, unavailable upstreams and verify-cache lookups', async () => {
    const before = await scrape();
    expectEnvelope(await get('/api/v1/billing/echo'), { status: 200, code: 'SUCCESS', module: 'billing' });
    expect((await get('/api/v1/billing/teapot')).statusCode).toBe(409);
    expect((await get('/api/v1/billing/slow?ms=2000')).statusCode).toBe(504);
    expect((await get('/api/v1/analytics/summary')).statusCode).toBe(503);
    // Refused at the edge: never an upstream request.
    expect((await get('/api/v1/billing/echo', {})).statusCode).toBe(401);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);

    expect(delta('gateway_upstream_requests_total', { upstream: 'billing', status_class: '2xx' })).toBe(1);
    expect(delta('gateway_upstream_requests_total', { upstream: 'billing', status_class: '4xx' })).toBe(1);
    expect(delta('gateway_upstream_requests_total', { upstream: 'billing', status_class: '5xx' })).toBe(1);
    expect(delta('gateway_upstream_requests_total', { upstream: 'analytics', status_class: '5xx' })).toBe(1);
    expect(delta('gateway_upstream_timeouts_total', { upstream: 'billing' })).toBe(1);
    expect(delta('gateway_upstream_unavailable_total', { upstream: 'analytics' })).toBe(1);
    expect(delta('gateway_upstream_unavailable_total', { upstream: 'billing' })).toBe(0);
    // The same token four times: verified once, then served from the cache.
    expect(delta('gateway_verify_cache_requests_total', { result: 'hit' }) + delta('gateway_verify_cache_requests_total', { result: 'miss' })).toBe(4);
    expect(delta('gateway_verify_cache_requests_total', { result: 'hit' })).toBeGreaterThanOrEqual(3);
    // HTTP series of the gateway itself, by route pattern.
    expect(delta('http_requests_total', { route: '/api/v1/billing/*', method: 'GET', status_class: '4xx' })).toBe(2);
    for (const name of upstreamNames) expect(samplesOf(after, 'gateway_upstream_timeouts_total', { upstream: name })).toHaveLength(1);
  });

  it('shows every request at the next scrape, exactly, however many came between scrapes', async () => {
    const before = await scrape();
    const tokens = Array.from({ length: 4 }, () => signTestToken(keys, { role: 'user' }));
    // Concurrent, as under load: the counts are folded into the series when /metrics is read.
    await Promise.all(Array.from({ length: 300 }, () => get('/health', {})));
    const forwarded = await Promise.all(tokens.flatMap((t) => Array.from({ length: 4 }, () => get('/api/v1/billing/echo', bearer(t)))));
    expect(forwarded.every((res) => res.statusCode === 200)).toBe(true);
    await Promise.all(Array.from({ length: 20 }, () => get('/api/v1/billing/echo', {})));
    const middle = await scrape();
    await Promise.all(Array.from({ length: 7 }, () => get('/health', {})));
    const after = await scrape();
    const delta = (from: string, to: string, name: string, labels: Record<string, string>) => sampleValue(to, name, labels) - sampleValue(from, name, labels);
    const health = { route: '/health', method: 'GET' };
    expect(delta(before, middle, 'http_requests_total', { ...health, status_class: '2xx' })).toBe(300);
    expect(delta(before, middle, 'http_request_duration_seconds_count', health)).toBe(300);
    expect(delta(before, middle, 'http_request_duration_seconds_bucket', { ...health, le: '+Inf' })).toBe(300);
    expect(delta(before, middle, 'http_request_duration_seconds_bucket', { ...health, le: '10' })).toBe(300);
    expect(delta(before, middle, 'http_request_duration_seconds_sum', health)).toBeGreaterThan(0);
    expect(delta(before, middle, 'http_requests_total', { route: '/api/v1/billing/*', method: 'GET', status_class: '2xx' })).toBe(16);
    expect(delta(before, middle, 'http_requests_total', { route: '/api/v1/billing/*', method: 'GET', status_class: '4xx' })).toBe(20);
    expect(delta(before, middle, 'gateway_upstream_requests_total', { upstream: 'billing', status_class: '2xx' })).toBe(16);
    expect(delta(before, middle, 'gateway_upstream_requests_total', { upstream: 'billing', status_class: '4xx' })).toBe(0);
    expect(delta(middle, after, 'http_requests_total', { ...health, status_class: '2xx' })).toBe(7);
    expect(delta(middle, after, 'http_request_duration_seconds_count', health)).toBe(7);
    expect(delta(middle, after, 'gateway_upstream_requests_total', { upstream: 'billing', status_class: '2xx' })).toBe(0);
  });

  it('counts rate-limit rejections by scope', async () => {
    const user = signTestToken(keys, { role: 'user' });
    const before = sampleValue(await scrape(), 'gateway_rate_limit_rejections_total', { scope: 'user' });
    let limited = 0;
    for (let i = 0; i < 7; i++) if ((await get('/api/v1/billing/echo', bearer(user))).statusCode === 429) limited += 1;
    expect(limited).toBe(2);
    expect(sampleValue(await scrape(), 'gateway_rate_limit_rejections_total', { scope: 'user' }) - before).toBe(2);
  });

  it('needs its METRICS_TOKEN and passes promtool check metrics', async () => {
    expectEnvelope(await app.inject({ method: 'GET', url: '/metrics' }), { status: 401, code: 'UNAUTHORIZED', module: 'gateway' });
    const text = await scrape();
    expect(samplesOf(text, 'gateway_upstream_requests_total').every((s) => s.labels.service === 'gateway')).toBe(true);
    expect(promtoolCheck(text)).toBe('');
  });
});

describe('the services\' /metrics through the gateway', () => {
  let fakes: Record<UpstreamName, FakeService>;
  let app: Gateway;
  let url: string;
  const token = signTestToken(keys, { role: 'user' });

  beforeAll(async () => {
    fakes = await startFakeServices(keys);
    app = await buildApp(loadGatewayConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...upstreamEnv(fakes) }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all(Object.values(fakes ?? {}).map((fake) => fake.app.close()));
  });

  // The services' /metrics is never reachable through the gateway, however the path is spelled.
  it.each([
    '/api/v1/users/metrics',
    '/api/v1/billing/../../metrics',
    '/api/v1/billing/%2e%2e/%2e%2e/%2e%2e/metrics',
    '/api/v1/analytics/.%2e/.%2e/.%2e/metrics',
    '/api/v1/notifications/..\\..\\..\\metrics',
    '/api/v1/users/%2F..%2F..%2Fmetrics',
    '/api/v1/billing//metrics',
    '/api/v1/billing/echo/../../../../metrics?x=1',
    'http://127.0.0.1:3002/metrics',
    '//metrics',
  ])('%s never reaches a service\'s /metrics', async (target) => {
    const res = await rawExchange(url, `GET ${target} HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
    for (const name of upstreamNames) expect(fakes[name].hits.filter((hit) => /^GET \/metrics(\?|$)/.test(hit))).toEqual([]);
    // Whatever answered, it was not a service's exposition: a 404 from the service, or the gateway's own.
    expect(res.body).not.toMatch(/service="(users|billing|notifications|analytics)"/);
    if (res.statusCode === 200) expect(res.body).toContain('service="gateway"');
    else expect([400, 404]).toContain(res.statusCode);
  });
});
