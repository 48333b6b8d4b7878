import { createPublicKey } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createHttpApp, ok, requireAuth, type HttpApp } from '@platform/http-kit';
import { TEST_AUDIENCE, TEST_ISSUER, type TestKeyPair } from '@platform/http-kit/testing';
import { captureLogs, type CapturedLogs } from '@platform/logging/testing';
import { upstreamNames, upstreamUrlVariable, type UpstreamName } from '../../src/config.js';

/** A stand-in for one service: a real http-kit app on a real port, with its own routes and logs. */
export interface FakeService {
  name: UpstreamName;
  app: HttpApp;
  url: string;
  logs: CapturedLogs;
  /** `METHOD /path` of every request that reached it. */
  hits: string[];
  /** `METHOD /path` of the requests the gateway's proxy forwarded (they carry `x-forwarded-for`; readiness probes do not). */
  forwarded: string[];
}

export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  raw?: string;
}

/** What the JWKS of the fake users service publishes; tests add keys to it. */
export function jwkOf(keys: TestKeyPair) {
  return { ...createPublicKey(keys.publicKeyPem).export({ format: 'jwk' }), kid: keys.kid, alg: keys.algorithm, use: 'sig' };
}

export function prefixOf(name: UpstreamName): string {
  return name === 'users' ? '/api/v1/users' : `/api/v1/${name}`;
}

async function fakeService(name: UpstreamName, keys: TestKeyPair, published: TestKeyPair[]): Promise<FakeService> {
  const logs = captureLogs(name, 'info');
  const hits: string[] = [];
  const forwarded: string[] = [];
  const app = await createHttpApp({
    service: name,
    logger: logs.logger,
    auth: { publicKeys: [{ kid: keys.kid, pem: keys.publicKeyPem }], issuer: TEST_ISSUER, audience: TEST_AUDIENCE },
    openapi: { title: `${name} service`, version: '1.0.0', description: `The ${name} service` },
  });
  app.addHook('onRequest', async (request) => {
    hits.push(`${request.method} ${request.url}`);
    if (request.headers['x-forwarded-for'] !== undefined) forwarded.push(`${request.method} ${request.url}`);
  });
  const prefix = prefixOf(name);
  const echo = (request: { method: string; url: string; headers: Record<string, unknown> }, raw?: string): Echo => ({
    method: request.method,
    url: request.url,
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
    ...(raw === undefined ? {} : { raw }),
  });
  const paths = [prefix, `${prefix}/echo`, ...(name === 'users' ? ['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout', '/api/v1/auth/other'] : [])];
  for (const url of paths) {
    // Echoes any query string (a loose schema: the kit makes every other query schema strict).
    app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url, schema: { summary: `${name} echo`, querystring: z.looseObject({}) }, handler: async (request, reply) => ok(reply, echo(request)) });
  }
  // The body as the service received it, byte for byte (no JSON parsing in this scope).
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post(`${prefix}/raw`, async (request, reply) => ok(reply, echo(request, request.body as string)));
  });
  app.get(`${prefix}/slow`, { schema: { querystring: z.object({ ms: z.coerce.number().int() }) } }, async (request, reply) => {
    await new Promise((done) => setTimeout(done, request.query.ms));
    return ok(reply, { slept: request.query.ms });
  });
  app.get(`${prefix}/teapot`, async (_request, reply) => {
    reply.code(409).header('x-custom', 'kept').header('keep-alive', 'timeout=5');
    return { code: 'CONFLICT', message: 'Already there', module: name, data: null, requestId: _request.id };
  });
  app.get(`${prefix}/guarded`, { onRequest: [requireAuth()] }, async (request, reply) => ok(reply, { sub: request.user.sub }));
  if (name === 'users') {
    app.get('/api/v1/auth/jwks.json', async () => ({ keys: published.map(jwkOf) }));
  }
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { name, app, url, logs, hits, forwarded };
}

/** The four services on real ports; `published` is what the users JWKS serves (mutable). */
export async function startFakeServices(keys: TestKeyPair, published: TestKeyPair[] = [keys]) {
  const entries = await Promise.all(upstreamNames.map(async (name) => [name, await fakeService(name, keys, published)] as const));
  return Object.fromEntries(entries) as Record<UpstreamName, FakeService>;
}

export function upstreamEnv(services: Record<UpstreamName, { url: string }>): Record<string, string> {
  return Object.fromEntries(upstreamNames.map((name) => [upstreamUrlVariable(name), services[name].url]));
}

/** A URL nothing listens on. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return `http://127.0.0.1:${port}`;
}
