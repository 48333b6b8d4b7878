import { describe, expect, it } from 'vitest';
import { parseConfig } from '@platform/config';
import { gatewayEnvSchema, loadGatewayConfig } from '../src/config.js';
import { createVerifyCache } from '../src/auth/verify-cache.js';

describe('gateway config', () => {
  it('parses DEPRECATED_ROUTES into method, path and an HTTP-date', () => {
    const config = loadGatewayConfig({ NODE_ENV: 'test', DEPRECATED_ROUTES: 'GET /api/v1/users/legacy=2027-06-30, DELETE /api/v1/billing/*=2028-02-29' });
    expect(config.deprecatedRoutes).toEqual([
      { method: 'GET', path: '/api/v1/users/legacy', sunset: 'Wed, 30 Jun 2027 00:00:00 GMT' },
      { method: 'DELETE', path: '/api/v1/billing/*', sunset: 'Tue, 29 Feb 2028 00:00:00 GMT' },
    ]);
    expect(loadGatewayConfig({ NODE_ENV: 'test' }).deprecatedRoutes).toEqual([]);
  });

  it('refuses a malformed DEPRECATED_ROUTES entry, naming the variable', () => {
    expect(() => parseConfig(gatewayEnvSchema, { DEPRECATED_ROUTES: 'GET /x=soon' })).toThrow(/DEPRECATED_ROUTES/);
    expect(() => parseConfig(gatewayEnvSchema, { DEPRECATED_ROUTES: 'GET /x=2027-13-45' })).toThrow(/DEPRECATED_ROUTES/);
    expect(() => parseConfig(gatewayEnvSchema, { DEPRECATED_ROUTES: 'TRACE /x=2027-01-01' })).toThrow(/DEPRECATED_ROUTES/);
  });

  it('points the JWKS at the users service', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'test', USERS_URL: 'http://users:3001' }).jwks.urls).toEqual(['http://users:3001/api/v1/auth/jwks.json']);
  });
});

describe('verify cache', () => {
  const claims = (exp: number) => ({ sub: 's', role: 'user' as const, jti: 'j', iat: 0, exp, iss: 'platform-users', aud: 'platform-api' });

  it('remembers a token until its exp, and forgets the oldest when full', () => {
    const cache = createVerifyCache(2);
    cache.set('a', claims(100));
    expect(cache.get('a', undefined, 99)?.sub).toBe('s');
    expect(cache.get('a', undefined, 100)).toBeUndefined();
    cache.set('b', claims(1e12));
    cache.set('c', claims(1e12));
    cache.set('d', claims(1e12));
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('d')).toBeDefined();
  });
});

describe('gateway HTTP server limits', () => {
  it('come from the environment, with headers never allowed longer than the whole request', async () => {
    const { buildApp } = await import('../src/app.js');
    const app = await buildApp(loadGatewayConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', HTTP_REQUEST_TIMEOUT_MS: '4000', HTTP_HEADERS_TIMEOUT_MS: '9000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000' }));
    expect(app.server.requestTimeout).toBe(4_000);
    expect(app.server.headersTimeout).toBe(4_000);
    expect(app.server.keepAliveTimeout).toBe(65_000);
    await app.close();
    expect(loadGatewayConfig({ NODE_ENV: 'test' }).http).toEqual({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 72_000, socketTimeoutMs: 60_000, maxConnectionsPerClient: 256 });
  });
});
