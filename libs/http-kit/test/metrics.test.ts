import { randomUUID } from 'node:crypto';
import { promtoolCheck, sampleValue, samplesOf } from '@platform/metrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEnvelope } from '../src/testing/index.js';
import { buildTestApp } from './test-app.js';

type App = Awaited<ReturnType<typeof buildTestApp>>;

describe('GET /metrics', () => {
  let ctx: App;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.app.close();
  });
  const scrape = async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.body;
  };

  it('counts requests by route pattern, method and status class, never by raw URL', async () => {
    const before = await scrape();
    const route = { route: '/actions/:id/issue', method: 'POST' };
    for (let i = 0; i < 3; i++) await ctx.app.inject({ method: 'POST', url: `/actions/${randomUUID()}/issue` });
    await ctx.app.inject({ method: 'POST', url: '/actions/not-a-uuid/issue' });
    await ctx.app.inject({ method: 'GET', url: `/nowhere/${randomUUID()}` });
    await ctx.app.inject({ method: 'GET', url: '/boom' });
    const after = await scrape();

    const delta = (labels: Record<string, string>) => sampleValue(after, 'http_requests_total', labels) - sampleValue(before, 'http_requests_total', labels);
    expect(delta({ ...route, status_class: '2xx' })).toBe(3);
    expect(delta({ ...route, status_class: '4xx' })).toBe(1);
    expect(delta({ route: 'unmatched', method: 'GET', status_class: '4xx' })).toBe(1);
    expect(delta({ route: '/boom', method: 'GET', status_class: '5xx' })).toBe(1);
    expect(sampleValue(after, 'http_request_duration_seconds_count', route) - sampleValue(before, 'http_request_duration_seconds_count', route)).toBe(4);
    // Bounded: no series names a concrete id, and /metrics does not count itself.
    const routes = new Set(samplesOf(after, 'http_requests_total').map((s) => s.labels.route));
    expect([...routes].some((r) => /[0-9a-f]{8}-/.test(r ?? ''))).toBe(false);
    expect(routes.has('/metrics')).toBe(false);
    expect(samplesOf(after, 'http_requests_total').every((s) => s.labels.service === 'users')).toBe(true);
  });

  it('passes promtool check metrics', async () => {
    await ctx.app.inject({ method: 'GET', url: '/health' });
    expect(promtoolCheck(await scrape())).toBe('');
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let ctx: App;
  const token = 'scrape-token-0123456789';
  beforeAll(async () => {
    ctx = await buildTestApp({ metricsToken: token });
  });
  afterAll(async () => {
    await ctx.app.close();
  });

  it.each([undefined, 'Bearer wrong-token-0123456789', `Basic ${token}`, `Bearer ${token}x`])('refuses %j with the envelope 401', async (authorization) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
    expectEnvelope(res, { status: 401, code: 'UNAUTHORIZED', module: 'users' });
    expect(res.body).not.toContain('http_requests_total');
  });

  it('serves the metrics to the bearer of the token', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('# TYPE http_requests_total counter');
  });
});
