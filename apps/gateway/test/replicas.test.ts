import { createHttpApp, type HttpApp } from '@platform/http-kit';
import { bearer, expectEnvelope, generateTestKeyPair, signTestToken } from '@platform/http-kit/testing';
import { createLogger } from '@platform/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { parseConfig } from '@platform/config';
import { gatewayEnvSchema, loadGatewayConfig, upstreamNames, upstreamUrlVariable, type UpstreamName } from '../src/config.js';
import { until } from './support/until.js';
import { deadUrl, startFakeServices, type FakeService } from './support/fake-services.js';

const keys = generateTestKeyPair();
const token = bearer(signTestToken(keys));

describe('gateway across several replicas per service', () => {
  let a: Record<UpstreamName, FakeService>;
  let b: Record<UpstreamName, FakeService>;
  const env = (overrides: Partial<Record<UpstreamName, string>> = {}) =>
    loadGatewayConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      UPSTREAM_PROBE_INTERVAL_MS: '100',
      ...Object.fromEntries(upstreamNames.map((name) => [upstreamUrlVariable(name), overrides[name] ?? `${a[name].url},${b[name].url}`])),
    });

  beforeAll(async () => {
    [a, b] = await Promise.all([startFakeServices(keys), startFakeServices(keys)]);
  });
  afterAll(async () => {
    await Promise.all([...Object.values(a ?? {}), ...Object.values(b ?? {})].map((fake) => fake.app.close()));
  });

  it('reads USERS_URL=http://a,http://b as a list, and refuses a bad entry naming the variable', () => {
    expect(parseConfig(gatewayEnvSchema, { USERS_URL: 'http://a:3001, http://b:3001,http://a:3001' }).USERS_URL).toEqual(['http://a:3001', 'http://b:3001']);
    expect(parseConfig(gatewayEnvSchema, {}).BILLING_URL).toEqual(['http://127.0.0.1:3002']);
    expect(() => parseConfig(gatewayEnvSchema, { BILLING_URL: 'http://a:3002,ftp://b' })).toThrow(/BILLING_URL must be a http or https URL/);
    expect(() => parseConfig(gatewayEnvSchema, { BILLING_URL: ' , ' })).toThrow(/BILLING_URL must be/);
  });

  it('spreads requests over the replicas in turn', async () => {
    const app = await buildApp(env());
    const before = [a.billing.forwarded.length, b.billing.forwarded.length];
    for (let i = 0; i < 10; i++) expect((await app.inject({ method: 'GET', url: '/api/v1/billing/echo', headers: token })).statusCode).toBe(200);
    expect([a.billing.forwarded.length - (before[0] ?? 0), b.billing.forwarded.length - (before[1] ?? 0)]).toEqual([5, 5]);
    expect(app.edgeStats.replicasAvailable()).toEqual({ users: 2, billing: 2, notifications: 2, analytics: 2 });
    await app.close();
  });

  it('a replica refusing connections: out of rotation, every request (POST too) served by the other, probed back when it answers', async () => {
    const dead = await deadUrl();
    const app = await buildApp(env({ billing: `${dead},${a.billing.url}` }));
    const before = a.billing.forwarded.length;
    for (let i = 0; i < 6; i++) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/billing/echo', headers: { ...token, 'content-type': 'application/json' }, payload: `{"n":${i}}` });
      expect(response.statusCode).toBe(200);
    }
    expect(a.billing.forwarded.length - before).toBe(6);
    expect(app.edgeStats.replicasAvailable().billing).toBe(1);
    // One replica ready is enough for the gateway to be ready.
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);

    // The replica comes up on its address: the probe puts it back and it gets its share again.
    const revived: HttpApp = await createHttpApp({ service: 'billing', logger: createLogger({ service: 'billing', level: 'silent' }) });
    let revivedHits = 0;
    revived.get('/api/v1/billing/echo', async () => {
      revivedHits += 1;
      return { data: { revived: true } };
    });
    await revived.listen({ host: '127.0.0.1', port: Number(new URL(dead).port) });
    await until(() => app.edgeStats.replicasAvailable().billing === 2);
    for (let i = 0; i < 4; i++) expect((await app.inject({ method: 'GET', url: '/api/v1/billing/echo', headers: token })).statusCode).toBe(200);
    expect(revivedHits).toBe(2);
    await app.close();
    await revived.close();
  });

  it('503 only when no replica of the service can be reached; /ready 503 naming it', async () => {
    const app = await buildApp(env({ analytics: `${await deadUrl()},${await deadUrl()}` }));
    expectEnvelope(await app.inject({ method: 'POST', url: '/api/v1/analytics/echo', headers: { ...token, 'content-type': 'application/json' }, payload: '{}' }), {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      module: 'gateway',
    });
    expect(app.edgeStats.replicasAvailable().analytics).toBe(0);
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().data.checks).toEqual({ users: 'up', billing: 'up', notifications: 'up', analytics: 'down' });
    // Other services are unaffected.
    expect((await app.inject({ method: 'GET', url: '/api/v1/billing/echo', headers: token })).statusCode).toBe(200);
    await app.close();
  });

  it('a replica whose /ready fails is taken out by the readiness probe and comes back with it', async () => {
    const app = await buildApp(env());
    a.notifications.app.draining = true; // its /ready answers 503, as during a SIGTERM drain
    try {
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
      expect(app.edgeStats.replicasAvailable().notifications).toBe(1);
      const before = a.notifications.forwarded.length;
      for (let i = 0; i < 4; i++) expect((await app.inject({ method: 'GET', url: '/api/v1/notifications/echo', headers: token })).statusCode).toBe(200);
      expect(a.notifications.forwarded.length).toBe(before);
    } finally {
      a.notifications.app.draining = false;
    }
    await until(() => app.edgeStats.replicasAvailable().notifications === 2);
    await app.close();
  });
});
