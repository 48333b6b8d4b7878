import { bearer, expectEnvelope, generateTestKeyPair, signTestToken } from '@platform/http-kit/testing';
import helmet from 'helmet';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadGatewayConfig, upstreamNames, type UpstreamName } from '../src/config.js';
import { deadUrl, prefixOf, startFakeServices, upstreamEnv, type Echo, type FakeService } from './support/fake-services.js';

const keys = generateTestKeyPair();
const published = [keys];

describe('gateway proxy', () => {
  let fakes: Record<UpstreamName, FakeService>;
  let app: Awaited<ReturnType<typeof buildApp>>;
  const token = signTestToken(keys, { role: 'user' });

  beforeAll(async () => {
    fakes = await startFakeServices(keys, published);
    const config = loadGatewayConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      UPSTREAM_TIMEOUT_MS: '700',
      BODY_LIMIT: '2048',
      CORS_ORIGINS: 'https://app.example',
      DEPRECATED_ROUTES: 'GET /api/v1/billing/echo=2027-06-30,POST /api/v1/notifications/*=2028-01-15',
      ...upstreamEnv(fakes),
    });
    app = await buildApp({ ...config, jwks: { ...config.jwks, unknownKidCooldownMs: 0 } });
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(Object.values(fakes ?? {}).map((fake) => fake.app.close()));
  });

  const get = (url: string, headers: Record<string, string> = bearer(token)) => app.inject({ method: 'GET', url, headers });

  describe('routing', () => {
    it.each(upstreamNames)('forwards %s paths and query strings unchanged', async (name) => {
      const body = expectEnvelope<Echo>(await get(`${prefixOf(name)}/echo?page=2&search=a%20b`), { status: 200, code: 'SUCCESS', module: name });
      expect(body.data.url).toBe(`${prefixOf(name)}/echo?page=2&search=a%20b`);
    });

    it('sends /api/v1/auth/* and the bare /api/v1/users to users', async () => {
      expectEnvelope(await get('/api/v1/auth/other'), { status: 200, code: 'SUCCESS', module: 'users' });
      const list = expectEnvelope<Echo>(await get('/api/v1/users?role=admin'), { status: 200, code: 'SUCCESS', module: 'users' });
      expect(list.data.url).toBe('/api/v1/users?role=admin');
    });

    it('forwards every method with its body byte for byte', async () => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        const res = await app.inject({ method, url: '/api/v1/billing/echo', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"a":1}' });
        expect(expectEnvelope<Echo>(res, { status: 200, code: 'SUCCESS', module: 'billing' }).data.method).toBe(method);
      }
      // Re-serialising would turn 1.0 into 1, lose digits and collapse duplicate keys.
      const raw = '{ "amountMinor": 1.0, "big": 12345678901234567890, "k": 1, "k": 2 }';
      const res = await app.inject({ method: 'POST', url: '/api/v1/billing/raw', headers: { ...bearer(token), 'content-type': 'application/json; charset=utf-8' }, payload: raw });
      const body = expectEnvelope<Echo>(res, { status: 200, code: 'SUCCESS', module: 'billing' });
      expect(body.data.raw).toBe(raw);
      expect(body.data.headers['content-type']).toBe('application/json; charset=utf-8');
    });

    it('leaves malformed JSON to the service to refuse', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/billing/echo', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"a":' });
      expectEnvelope(res, { status: 400, code: 'VALIDATION_ERROR', module: 'billing' });
    });

    it('passes service answers through: status, envelope and headers, minus hop-by-hop ones', async () => {
      const res = await get('/api/v1/billing/teapot');
      expectEnvelope(res, { status: 409, code: 'CONFLICT', module: 'billing' });
      expect(res.headers['x-custom']).toBe('kept');
      expect(res.headers['keep-alive']).toBeUndefined();
    });

    it('answers unknown routes itself with a 404', async () => {
      expectEnvelope(await get('/api/v1/nowhere'), { status: 404, code: 'NOT_FOUND', module: 'gateway' });
      expectEnvelope(await get('/api/v2/users/me'), { status: 404, code: 'NOT_FOUND', module: 'gateway' });
    });
  });

  describe('headers passed on', () => {
    it('passes authorization and idempotency-key, sets x-forwarded-for to the client address and ignores a forged one', async () => {
      const res = await get('/api/v1/billing/echo', { ...bearer(token), 'idempotency-key': 'key-123', 'x-forwarded-for': '6.6.6.6', forwarded: 'for=6.6.6.6', connection: 'keep-alive, x-secret', 'x-secret': 'hop' });
      const { headers } = expectEnvelope<Echo>(res, { status: 200, code: 'SUCCESS', module: 'billing' }).data;
      expect(headers.authorization).toBe(`Bearer ${token}`);
      expect(headers['idempotency-key']).toBe('key-123');
      expect(headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(headers.forwarded).toBeUndefined();
      expect(headers['x-secret']).toBeUndefined();
    });

    it('carries the caller request id end to end: response, service, service log line', async () => {
      const requestId = `e2e-${Date.now()}`;
      const res = await get('/api/v1/notifications/echo', { ...bearer(token), 'x-request-id': requestId });
      expect(res.headers['x-request-id']).toBe(requestId);
      const body = expectEnvelope<Echo>(res, { status: 200, code: 'SUCCESS', module: 'notifications' });
      expect(body.requestId).toBe(requestId);
      expect(body.data.headers['x-request-id']).toBe(requestId);
      expect(fakes.notifications.logs.lines.some((line) => line.requestId === requestId && line.service === 'notifications')).toBe(true);
    });

    it('replaces an insane request id with its own and forwards that one', async () => {
      const res = await get('/api/v1/analytics/echo', { ...bearer(token), 'x-request-id': 'bad id\twith spaces' });
      const id = res.headers['x-request-id'];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(expectEnvelope<Echo>(res, { status: 200, code: 'SUCCESS', module: 'analytics' }).data.headers['x-request-id']).toBe(id);
    });
  });

  describe('refusals in the gateway envelope', () => {
    it('413 for a body over BODY_LIMIT, 415 for a body that is not JSON, neither forwarded', async () => {
      const before = fakes.billing.hits.length;
      const big = JSON.stringify({ text: 'x'.repeat(4096) });
      expectEnvelope(await app.inject({ method: 'POST', url: '/api/v1/billing/echo', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: big }), { status: 413, code: 'PAYLOAD_TOO_LARGE', module: 'gateway' });
      expectEnvelope(await app.inject({ method: 'POST', url: '/api/v1/billing/echo', headers: { ...bearer(token), 'content-type': 'text/plain' }, payload: 'hello' }), { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', module: 'gateway' });
      expectEnvelope(await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=a' }), { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', module: 'gateway' });
      expect(fakes.billing.hits.length).toBe(before);
    });

    it('400 for JSON nested deeper than 32 levels, counted without parsing, not forwarded', async () => {
      const before = fakes.billing.forwarded.length;
      const deep = `{"a": ${'['.repeat(40)}${']'.repeat(40)}}`;
      const res = await app.inject({ method: 'POST', url: '/api/v1/billing/raw', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: deep });
      expect(expectEnvelope(res, { status: 400, code: 'VALIDATION_ERROR', module: 'gateway' }).message).toMatch(/nested deeper than 32/);
      expect(fakes.billing.forwarded.length).toBe(before);
      // 32 levels, brackets inside strings and odd formatting still go through byte for byte.
      const fine = `{"a": ${'['.repeat(31)}"]]]][[[["${']'.repeat(31)}}`;
      const ok = await app.inject({ method: 'POST', url: '/api/v1/billing/raw', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: fine });
      expect(expectEnvelope<Echo>(ok, { status: 200, code: 'SUCCESS', module: 'billing' }).data.raw).toBe(fine);
    });

    it('forwards body-less actions, with or without a JSON content type', async () => {
      expectEnvelope(await app.inject({ method: 'POST', url: '/api/v1/billing/echo', headers: bearer(token) }), { status: 200, code: 'SUCCESS', module: 'billing' });
      const empty = await app.inject({ method: 'POST', url: '/api/v1/billing/echo', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '' });
      expectEnvelope(empty, { status: 200, code: 'SUCCESS', module: 'billing' });
      const bare = await app.inject({ method: 'POST', url: '/api/v1/billing/echo', headers: bearer(token), payload: 'not json' });
      expectEnvelope(bare, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', module: 'gateway' });
    });

    it('504 when a service answers after UPSTREAM_TIMEOUT_MS', async () => {
      const body = expectEnvelope(await get('/api/v1/billing/slow?ms=2000'), { status: 504, code: 'GATEWAY_TIMEOUT', module: 'gateway' });
      expect(body.message).not.toMatch(/127\.0\.0\.1|undici|UND_ERR/);
      expectEnvelope(await get('/api/v1/billing/slow?ms=10'), { status: 200, code: 'SUCCESS', module: 'billing' });
    });
  });

  describe('auth at the edge', () => {
    const refusedWithoutForwarding = async (headers: Record<string, string>, message?: RegExp) => {
      const before = fakes.billing.hits.length;
      const body = expectEnvelope(await get('/api/v1/billing/echo', headers), { status: 401, code: 'UNAUTHORIZED', module: 'gateway' });
      if (message) expect(body.message).toMatch(message);
      expect(fakes.billing.hits.length).toBe(before);
    };

    it('401 without a token, never reaching the service', () => refusedWithoutForwarding({}, /Missing/));
    it('401 for garbage', () => refusedWithoutForwarding({ authorization: 'Bearer not.a.jwt' }));
    it('401 for a token forged with another key under the right kid', () => refusedWithoutForwarding(bearer(signTestToken({ ...generateTestKeyPair(), kid: keys.kid }))));
    it('401 for an expired token', () => refusedWithoutForwarding(bearer(signTestToken(keys, {}, { expiresInSec: -60 })), /expired/));
    it('401 for a wrong issuer or audience', async () => {
      await refusedWithoutForwarding(bearer(signTestToken(keys, {}, { issuer: 'someone-else' })));
      await refusedWithoutForwarding(bearer(signTestToken(keys, {}, { audience: 'other-api' })));
    });
    it('401 for a token without kid', () => refusedWithoutForwarding(bearer(signTestToken(keys, {}, { kid: null }))));

    it('lets the public auth routes through without a token', async () => {
      for (const route of ['register', 'login', 'refresh', 'logout']) {
        const res = await app.inject({ method: 'POST', url: `/api/v1/auth/${route}`, headers: { 'content-type': 'application/json' }, payload: '{}' });
        expectEnvelope(res, { status: 200, code: 'SUCCESS', module: 'users' });
      }
      const jwks = await app.inject({ method: 'GET', url: '/api/v1/auth/jwks.json' });
      expect(jwks.statusCode).toBe(200);
      expect(jwks.json().keys[0].kid).toBe(keys.kid);
      expectEnvelope(await get('/api/v1/auth/other', {}), { status: 401, code: 'UNAUTHORIZED', module: 'gateway' });
    });

    it('forwards a valid token, which the service verifies again', async () => {
      const sub = '6f1c1f5e-8d1a-4a57-9a55-1d2f3e4a5b6c';
      const body = expectEnvelope<{ sub: string }>(await get('/api/v1/billing/guarded', bearer(signTestToken(keys, { sub }))), { status: 200, code: 'SUCCESS', module: 'billing' });
      expect(body.data.sub).toBe(sub);
    });

    it('re-fetches the JWKS when a token names an unknown kid (key rotation)', async () => {
      const rotated = generateTestKeyPair();
      const fresh = bearer(signTestToken(rotated));
      await refusedWithoutForwarding(fresh);
      published.push(rotated);
      const fetches = app.jwks.fetches;
      expectEnvelope(await get('/api/v1/billing/echo', fresh), { status: 200, code: 'SUCCESS', module: 'billing' });
      expect(app.jwks.fetches).toBe(fetches + 1);
    });
  });

  describe('edges', () => {
    it('marks deprecated routes with Deprecation and Sunset, and only those', async () => {
      const deprecated = await get('/api/v1/billing/echo');
      expect(deprecated.headers.deprecation).toBe('true');
      expect(deprecated.headers.sunset).toBe('Wed, 30 Jun 2027 00:00:00 GMT');
      const prefixed = await app.inject({ method: 'POST', url: '/api/v1/notifications/echo', headers: bearer(token) });
      expect(prefixed.headers.sunset).toBe('Sat, 15 Jan 2028 00:00:00 GMT');
      const current = await get('/api/v1/billing/teapot');
      expect(current.headers.deprecation).toBeUndefined();
      expect(current.headers.sunset).toBeUndefined();
    });

    it('answers CORS preflights for configured origins only', async () => {
      const preflight = (origin: string) =>
        app.inject({ method: 'OPTIONS', url: '/api/v1/users/me', headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,content-type' } });
      const allowed = await preflight('https://app.example');
      expect(allowed.statusCode).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(allowed.headers['access-control-allow-methods']).toBe('GET, HEAD, POST, PUT, PATCH, DELETE');
      expect(allowed.headers['access-control-allow-headers']).toBe('authorization, content-type, x-request-id, idempotency-key');
      expect(allowed.headers['access-control-max-age']).toBe('600');
      const other = await preflight('https://evil.example');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const simple = await get('/api/v1/billing/echo', { ...bearer(token), origin: 'https://app.example' });
      expect(simple.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(simple.headers['access-control-expose-headers']).toBe('x-request-id, retry-after, deprecation, sunset, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset');
      expect(simple.headers.vary).toBe('Origin');
    });

    it('sets security headers on its own and on proxied answers', async () => {
      for (const res of [await get('/health', {}), await get('/api/v1/billing/echo')]) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['strict-transport-security']).toMatch(/max-age/);
        expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      }
    });

    it("sets exactly helmet's default headers, computed once instead of per request", async () => {
      // What helmet's middleware writes on a real response, independently of the gateway's copy.
      const server = createServer((req, res) => helmet()(req, res, () => res.end()));
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      const reference = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await new Promise((done) => server.close(done));
      const expected = Object.fromEntries([...reference.headers].filter(([name]) => !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)));
      expect(Object.keys(expected).length).toBeGreaterThanOrEqual(10);
      // A refused target's 400 too (it is answered in the same first hook that sets them).
      const refused = await get('/api/v1/billing/..;/echo', {});
      expect(refused.statusCode).toBe(400);
      for (const res of [await get('/health', {}), await get('/api/v1/billing/echo'), await get('/api/v1/nowhere', {}), refused]) {
        for (const [name, value] of Object.entries(expected)) expect(res.headers[name], name).toBe(value);
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('serves one OpenAPI document with every service paths and its own', async () => {
      const res = await get('/openapi.json', {});
      expect(res.statusCode).toBe(200);
      const document = res.json();
      expect(document.openapi).toMatch(/^3\./);
      for (const name of upstreamNames) expect(document.paths).toHaveProperty(`${prefixOf(name)}/echo`);
      expect(document.paths).toHaveProperty(['/api/v1/auth/login']);
      expect(document.paths).toHaveProperty(['/health']);
      expect(document.paths).toHaveProperty(['/ready']);
      expect(document.paths['/api/v1/billing/echo'].get.tags).toContain('billing');
      expect(document.components.securitySchemes).toHaveProperty('bearerAuth');
      expect(Object.keys(document.paths).some((path: string) => path.includes('*'))).toBe(false);
      const ui = await get('/docs/', {});
      expect(ui.statusCode).toBe(200);
      expect(ui.headers['content-type']).toMatch(/text\/html/);
      const uiDocument = (await get('/docs/json', {})).json();
      expect(Object.keys(uiDocument.paths)).toEqual(Object.keys(document.paths));
    });

    it('503 when a service is down, and the merged document simply lacks it', async () => {
      await fakes.analytics.app.close();
      const body = expectEnvelope(await get('/api/v1/analytics/echo'), { status: 503, code: 'SERVICE_UNAVAILABLE', module: 'gateway' });
      expect(body.message).toBe('Service unavailable');
      const post = await app.inject({ method: 'POST', url: '/api/v1/analytics/echo', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{}' });
      expectEnvelope(post, { status: 503, code: 'SERVICE_UNAVAILABLE', module: 'gateway' });
      expectEnvelope(await get('/api/v1/billing/echo'), { status: 200, code: 'SUCCESS', module: 'billing' });
    });
  });
});

describe('gateway with the users service (and its JWKS) unreachable', () => {
  it('answers 503 for a token it cannot verify yet, 401 for no token', async () => {
    const app = await buildApp(loadGatewayConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', USERS_URL: await deadUrl(), BILLING_URL: await deadUrl() }));
    const token = bearer(signTestToken(keys));
    expectEnvelope(await app.inject({ method: 'GET', url: '/api/v1/billing/echo', headers: token }), { status: 503, code: 'SERVICE_UNAVAILABLE', module: 'gateway' });
    expectEnvelope(await app.inject({ method: 'GET', url: '/api/v1/billing/echo' }), { status: 401, code: 'UNAUTHORIZED', module: 'gateway' });
    expectEnvelope(await app.inject({ method: 'GET', url: '/api/v1/billing/echo', headers: { authorization: 'Bearer garbage' } }), { status: 401, code: 'UNAUTHORIZED', module: 'gateway' });
    await app.close();
  });
});

describe('gateway without CORS origins', () => {
  it('sets no CORS header and answers a preflight 404, as for any other unknown route', async () => {
    const app = await buildApp(loadGatewayConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DOCS_ENABLED: 'false' }));
    const headers = { origin: 'https://app.example', 'access-control-request-method': 'PATCH' };
    const preflight = await app.inject({ method: 'OPTIONS', url: '/api/v1/users/me', headers });
    expectEnvelope(preflight, { status: 404, code: 'NOT_FOUND', module: 'gateway' });
    const health = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://app.example' } });
    for (const res of [preflight, health]) {
      expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-') || name === 'vary')).toEqual([]);
    }
    await app.close();
  });
});

describe('gateway docs in production', () => {
  it('serves neither /docs nor /openapi.json unless DOCS_ENABLED=true', async () => {
    const off = await buildApp(loadGatewayConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent' }));
    expectEnvelope(await off.inject({ method: 'GET', url: '/openapi.json' }), { status: 404, code: 'NOT_FOUND', module: 'gateway' });
    expectEnvelope(await off.inject({ method: 'GET', url: '/docs' }), { status: 404, code: 'NOT_FOUND', module: 'gateway' });
    await off.close();
    const on = await buildApp(loadGatewayConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DOCS_ENABLED: 'true' }));
    expect((await on.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
    await on.close();
  });
});
