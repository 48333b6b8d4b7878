import { bearer, expectEnvelope, generateTestKeyPair, rawExchange, signTestToken } from '@platform/http-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadGatewayConfig, upstreamNames, type UpstreamName } from '../src/config.js';
import { normaliseTarget } from '../src/proxy/normalise-target.js';
import { prefixOf, startFakeServices, upstreamEnv, type Echo, type FakeService } from './support/fake-services.js';

describe('normaliseTarget', () => {
  it.each([
    ['/api/v1/billing/invoices?status=paid', '/api/v1/billing/invoices?status=paid'],
    ['/api/v1/billing/x\\..\\..\\..\\..\\ready', '/ready'],
    ['/api/v1/billing/./x/../invoices', '/api/v1/billing/invoices'],
    ['/api/v1/billing/%2e%2e/%2E%2E/%2e%2e/ready', '/ready'],
    ['/api/v1/billing/.%2e/.%2e/.%2e/openapi.json', '/openapi.json'],
    ['//api///v1//billing/invoices', '/api/v1/billing/invoices'],
    ['/api/v1/%62illing/invoices', '/api/v1/billing/invoices'],
    ['/api/v1/billing/invoices/', '/api/v1/billing/invoices/'],
    ['/api/v1/billing/invoices/..', '/api/v1/billing/'],
    ['/../../../etc/passwd', '/etc/passwd'],
    ['/api/v1/users?search=a%20b&x=..%2F..', '/api/v1/users?search=a%20b&x=..%2F..'],
    ['http://gateway.example/api/v1/users/me?x=1', '/api/v1/users/me?x=1'],
    ['HTTPS://evil.example:8443/api/v1/billing/..\\..\\..\\ready', '/ready'],
  ])('%s → %s', (target, expected) => {
    expect(normaliseTarget(target)).toEqual({ ok: true, url: expected });
  });

  it.each([
    '/api/v1/billing/..;/..;/..;/ready',
    '/api/v1/billing/x;jsessionid=1',
    '/api/v1/billing/%3b/ready',
    '/api/v1/billing/%2e%2e%2f%2e%2e%2fready',
    '/api/v1/billing/..%5c..%5c..%5cready',
    '/api/v1/billing/%252e%252e/%252e%252e/ready',
    '/api/v1/billing/%25252e',
    '/api/v1/billing/%00',
    '/api/v1/billing/%0d%0aX-Injected:1',
    '/api/v1/billing/%zz',
    '/api/v1/billing/%e',
    '/api/v1/billing#frag',
    '*',
    'gateway.example:443',
    'ftp://gateway.example/api/v1/users/me',
  ])('refuses %s', (target) => {
    expect(normaliseTarget(target).ok).toBe(false);
  });
});

const keys = generateTestKeyPair();

/**
 * Through a listening gateway and raw sockets: `inject` and `fetch` normalise a URL before it is
 * sent, which is exactly what an attacker does not do.
 */
describe('the gateway decides on the normalised target and forwards only that', () => {
  let fakes: Record<UpstreamName, FakeService>;
  let app: Awaited<ReturnType<typeof buildApp>>;
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

  const send = (method: string, target: string, headers: Record<string, string> = bearer(token), body = '') =>
    rawExchange(
      url,
      `${method} ${target} HTTP/1.1\r\nHost: gateway.test\r\n${Object.entries({ ...headers, ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('')}Connection: close\r\n\r\n${body}`,
    );
  const forwardedOutsidePrefixes = () =>
    upstreamNames.flatMap((name) =>
      fakes[name].forwarded.filter((hit) => {
        const path = hit.split(' ')[1] ?? '';
        const prefixes = name === 'users' ? ['/api/v1/users', '/api/v1/auth'] : [prefixOf(name)];
        return !prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`));
      }),
    );

  const escapes = [
    '/api/v1/billing/x\\..\\..\\..\\..\\ready',
    '/api/v1/billing/x\\..\\..\\..\\..\\health',
    '/api/v1/billing/x\\..\\..\\..\\..\\openapi.json',
    '/api/v1/billing/%2e%2e/%2e%2e/%2e%2e/ready',
    '/api/v1/analytics/.%2e/.%2e/.%2e/metrics',
    '/api/v1/notifications/..\\../..\\ready',
    '/api/v1/users/%2E%2E/%2E%2E/%2E%2E/%2E%2E/health',
  ];

  it.each(escapes)('never lets %s reach a service outside its prefix', async (target) => {
    const before = upstreamNames.map((name) => fakes[name].forwarded.length);
    const res = await send('GET', target);
    // Whatever the normalised target is, the gateway answers it itself (its own /ready, /health,
    // merged /openapi.json, its own /metrics or a 404) and forwards nothing.
    if (res.headers['content-type']?.startsWith('text/plain')) {
      expect(res.body).toContain('service="gateway"');
    } else {
      const body = JSON.parse(res.body) as { module?: string; openapi?: string };
      expect(body.module ?? (body.openapi ? 'gateway' : undefined)).toBe('gateway');
    }
    expect(res.statusCode).not.toBe(500);
    expect(upstreamNames.map((name) => fakes[name].forwarded.length)).toEqual(before);
  });

  it.each([
    '/api/v1/billing/..;/..;/..;/ready',
    '/api/v1/billing/%2e%2e%2f%2e%2e%2f%2e%2e%2fready',
    '/api/v1/billing/%252e%252e/%252e%252e/%252e%252e/ready',
    '/api/v1/billing/..%5c..%5c..%5cready',
    '/api/v1/billing/%00',
  ])('refuses %s with a 400 from the gateway', async (target) => {
    expectEnvelope(await send('GET', target), { status: 400, code: 'VALIDATION_ERROR', module: 'gateway' });
  });

  it('forwarded nothing outside a service prefix, whatever came before', () => {
    expect(forwardedOutsidePrefixes()).toEqual([]);
  });

  it.each([
    ['/api/v1/billing/x/../echo?page=2', '/api/v1/billing/echo?page=2'],
    ['//api//v1/billing//echo', '/api/v1/billing/echo'],
    ['/api/v1/%62illing/./echo', '/api/v1/billing/echo'],
    ['/api/v1/users/x\\..\\echo', '/api/v1/users/echo'],
  ])('routes and forwards %s as %s', async (target, forwarded) => {
    const res = await send('GET', target);
    const body = expectEnvelope<Echo>(res, { status: 200, code: 'SUCCESS' });
    expect(body.data.url).toBe(forwarded);
  });

  it('a path that normalises into another service goes to that service', async () => {
    const body = expectEnvelope<Echo>(await send('GET', '/api/v1/billing/../notifications/echo'), { status: 200, code: 'SUCCESS', module: 'notifications' });
    expect(body.data.url).toBe('/api/v1/notifications/echo');
  });

  it('absolute-form targets are routed on their path, never on their host', async () => {
    const body = expectEnvelope<Echo>(await send('GET', 'http://evil.example/api/v1/billing/echo?x=1'), { status: 200, code: 'SUCCESS', module: 'billing' });
    expect(body.data.url).toBe('/api/v1/billing/echo?x=1');
    const login = await send('POST', 'http://gateway.test/api/v1/auth/login', {}, '{}');
    expectEnvelope(login, { status: 200, code: 'SUCCESS', module: 'users' });
    expectEnvelope(await send('GET', 'http://gateway.test/api/v1/users/echo', {}), { status: 401, code: 'UNAUTHORIZED', module: 'gateway' });
  });

  it('the public-route check reads the normalised path', async () => {
    expectEnvelope(await send('POST', '/api/v1/auth/./login', {}, '{}'), { status: 200, code: 'SUCCESS', module: 'users' });
    expectEnvelope(await send('POST', '/api/v1/auth/%6cogin', {}, '{}'), { status: 200, code: 'SUCCESS', module: 'users' });
    // Looks public before normalisation, is not after it.
    expectEnvelope(await send('POST', '/api/v1/auth/login/../other', {}, '{}'), { status: 401, code: 'UNAUTHORIZED', module: 'gateway' });
  });

  it('still forwarded nothing outside a service prefix', () => {
    expect(forwardedOutsidePrefixes()).toEqual([]);
    expect(upstreamNames.flatMap((name) => fakes[name].forwarded).length).toBeGreaterThan(0);
  });
});
