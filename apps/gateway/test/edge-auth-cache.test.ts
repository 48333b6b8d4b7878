import { bearer, generateTestKeyPair, signTestToken } from '@platform/http-kit/testing';
import type { AccessClaims } from '@platform/http-kit';
import { request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.js';
import { createVerifyCache } from '../src/auth/verify-cache.js';
import { loadGatewayConfig, type UpstreamName } from '../src/config.js';
import { startFakeServices, upstreamEnv, type FakeService } from './support/fake-services.js';

const claims = (exp: number, sub = '6f1c1f5e-8d1a-4a57-9a55-1d2f3e4a5b6c'): AccessClaims => ({ sub, role: 'user', jti: 'j', iat: 0, exp, iss: 'i', aud: 'a' });

describe('verify cache', () => {
  it('remembers a header per connection, until the claims expire', () => {
    const cache = createVerifyCache(10);
    const connection = {};
    const a = claims(100);
    cache.set('Bearer a', a, connection);
    expect(cache.get('Bearer a', connection, 99)).toBe(a);
    expect(cache.get('Bearer a', {}, 99)).toBe(a);
    expect(cache.get('Bearer a', connection, 100)).toBeUndefined();
    // Expired: gone from the connection and from the map alike.
    expect(cache.get('Bearer a', {}, 50)).toBeUndefined();
  });

  it('answers another header on the same connection from the map only', () => {
    const cache = createVerifyCache(10);
    const connection = {};
    const a = claims(100);
    const b = claims(100, '0b6f6f3e-8d1c-4c53-9d0e-6f1d1f2a3b4c');
    cache.set('Bearer a', a, connection);
    expect(cache.get('Bearer b', connection, 1)).toBeUndefined();
    cache.set('Bearer b', b, {});
    expect(cache.get('Bearer b', connection, 1)).toBe(b);
    expect(cache.get('Bearer a', connection, 1)).toBe(a);
  });

  it('remembers nothing, not even per connection, with no room', () => {
    const cache = createVerifyCache(0);
    const connection = {};
    cache.set('Bearer a', claims(100), connection);
    expect(cache.get('Bearer a', connection, 1)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('edge auth over one keep-alive connection', () => {
  const keys = generateTestKeyPair();
  let fakes: Record<UpstreamName, FakeService>;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let connections = 0;

  beforeAll(async () => {
    fakes = await startFakeServices(keys, [keys]);
    const config = loadGatewayConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...upstreamEnv(fakes) });
    app = await buildApp(config);
    app.server.on('connection', () => connections++);
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    agent.destroy();
    await app?.close();
    await Promise.all(Object.values(fakes ?? {}).map((fake) => fake.app.close()));
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  const get = (headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, agent, path: '/api/v1/billing/guarded', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('takes a remembered header from the connection, and refuses every other token on it', async () => {
    const sub = '0b6f6f3e-8d1c-4c53-9d0e-6f1d1f2a3b4c';
    const good = bearer(signTestToken(keys, { sub }));
    expect((await get(good)).status).toBe(200);
    const seen = connections;

    // The same header again on this connection: neither the map nor the bearer regex is asked.
    const mapGet = vi.spyOn(Map.prototype, 'get');
    const exec = vi.spyOn(RegExp.prototype, 'exec');
    const again = await get(good);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body).data.sub).toBe(sub);
    expect(mapGet.mock.calls.filter(([key]) => key === good.authorization || key === good.authorization.slice(7))).toHaveLength(0);
    expect(exec.mock.contexts.filter((regex) => (regex as RegExp).source.startsWith('^Bearer '))).toHaveLength(0);
    vi.restoreAllMocks();

    // Other tokens on the same connection are verified as ever.
    const forged = bearer(signTestToken({ ...generateTestKeyPair(), kid: keys.kid }, { sub }));
    expect((await get(forged)).status).toBe(401);
    expect((await get({ authorization: `${good.authorization}x` })).status).toBe(401);
    expect((await get({ authorization: good.authorization.replace('Bearer', 'bearer') })).status).toBe(200);
    expect((await get({})).status).toBe(401);
    expect((await get(good)).status).toBe(200);
    expect(connections).toBe(seen);
  });

  it('refuses a remembered header once its token has expired', async () => {
    const good = bearer(signTestToken(keys, {}, { expiresInSec: 60 }));
    expect((await get(good)).status).toBe(200);
    expect((await get(good)).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    const late = await get(good);
    expect(late.status).toBe(401);
    expect(JSON.parse(late.body).message).toMatch(/expired/);
  });
});
