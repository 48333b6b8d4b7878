import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateTestKeyPair } from '@platform/http-kit/testing';
import { captureLogs } from '@platform/logging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwksCache } from '../src/auth/jwks-cache.js';
import { jwkOf } from './support/fake-services.js';

describe('JWKS cache', () => {
  const first = generateTestKeyPair();
  const rotated = generateTestKeyPair();
  const rsa = generateTestKeyPair('RS256');
  let published = [first];
  let status = 200;
  let delayMs = 0;
  let server: Server;
  let url: string;
  const logger = captureLogs('gateway', 'silent').logger;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      setTimeout(() => {
        response.statusCode = status;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ keys: published.map(jwkOf) }));
      }, delayMs);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/auth/jwks.json`;
  });

  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const cache = (cooldownMs = 60_000) => createJwksCache({ urls: [url], fetchTimeoutMs: 300, maxAgeMs: 60_000, unknownKidCooldownMs: cooldownMs, logger });

  it('converts JWKs to PEM and serves known kids from memory', async () => {
    published = [first, rsa];
    const jwks = cache();
    const pem = await jwks.resolve(first.kid);
    expect(pem?.replace(/\s/g, '')).toBe(first.publicKeyPem.replace(/\s/g, ''));
    expect(await jwks.resolve(rsa.kid)).toContain('BEGIN PUBLIC KEY');
    await jwks.resolve(first.kid);
    expect(jwks.fetches).toBe(1);
    expect(await jwks.resolve(undefined)).toBeUndefined();
  });

  it('re-fetches on an unknown kid at most once per cooldown, so forged kids cannot hammer users', async () => {
    published = [first];
    const jwks = cache(60_000);
    await jwks.resolve(first.kid);
    for (let i = 0; i < 5; i += 1) expect(await jwks.resolve(`forged-${i}`)).toBeUndefined();
    // Fetched a moment ago: no forged kid gets another fetch inside the cooldown.
    expect(jwks.fetches).toBe(1);

    const eager = cache(0);
    await eager.resolve(first.kid);
    published = [first, rotated];
    expect(await eager.resolve(rotated.kid)).toContain('BEGIN PUBLIC KEY');
  });

  it('shares one fetch between concurrent lookups and keeps its keys when users is down or slow', async () => {
    published = [first];
    const jwks = cache(0);
    await Promise.all([jwks.resolve(first.kid), jwks.resolve(first.kid), jwks.resolve('other')]);
    expect(jwks.fetches).toBe(1);
    status = 503;
    expect(await jwks.resolve('unknown')).toBeUndefined();
    expect(await jwks.resolve(first.kid)).toBeDefined();
    // Back up: the next unknown kid is fetched at once, not after a back-off (tokens issued by a
    // users service that just started must not bounce).
    status = 200;
    published = [first, rotated];
    expect(await jwks.resolve(rotated.kid)).toContain('BEGIN PUBLIC KEY');
    delayMs = 1_000;
    const started = Date.now();
    expect(await cache().resolve(first.kid)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    delayMs = 0;
  });
});
