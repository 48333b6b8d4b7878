import { createHttpApp, type HttpApp } from '@platform/http-kit';
import { generateTestKeyPair } from '@platform/http-kit/testing';
import { captureLogs } from '@platform/logging/testing';
import { execFile } from 'node:child_process';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadGatewayConfig, upstreamUrlVariable, type UpstreamName } from '../src/config.js';
import { startFakeServices, upstreamEnv, type FakeService } from './support/fake-services.js';

const keys = generateTestKeyPair();
const JWKS = '/api/v1/auth/jwks.json';
const REQUEST_ID = 'jwks-headers-1';

/** One answer over a real socket: the status and the header block in wire order (rawHeaders), names lower-cased. */
function fetchRaw(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Array<[string, string]> }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res: IncomingMessage) => {
      res.resume();
      res.on('end', () => {
        const pairs: Array<[string, string]> = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([(res.rawHeaders[i] as string).toLowerCase(), res.rawHeaders[i + 1] as string]);
        resolve({ status: res.statusCode ?? 0, headers: pairs });
      });
    }).on('error', reject);
  });
}

// The JWKS answer as the gateway sends it, header by header in wire order: what main sent before
// the Fastify reply-headers patch (tools/patches/fastify+5.12.8.patch), which must not change it.
// `date` and the rate-limit reset depend on the clock; their presence and position are checked,
// their values only for their form.
const clock = /^(date|x-ratelimit-reset)$/;
const expectedJwksHeaders: Array<[string, string | RegExp]> = [
  ['x-request-id', REQUEST_ID],
  ['content-security-policy', "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests"],
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'SAMEORIGIN'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
  ['x-ratelimit-limit', '1000'],
  ['x-ratelimit-remaining', '999'],
  ['x-ratelimit-reset', /^\d+$/],
  ['cache-control', 'public, max-age=300'],
  ['content-type', 'application/json; charset=utf-8'],
  ['content-length', /^\d+$/],
  ['date', /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/],
  ['connection', 'keep-alive'],
  ['keep-alive', 'timeout=72'],
];

describe('the JWKS answer through the gateway: its header block', () => {
  let fakes: Record<UpstreamName, FakeService>;
  let users: HttpApp;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let gatewayUrl: string;

  beforeAll(async () => {
    fakes = await startFakeServices(keys);
    // The users service's JWKS route as users answers it (apps/users/src/routes/auth-routes.ts):
    // an http-kit app (request id), `cache-control`, the key set as JSON.
    users = await createHttpApp({ service: 'users', logger: captureLogs('users', 'info').logger, openapi: { title: 'users', version: '1.0.0', description: 'users' } });
    users.get(JWKS, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'x', kid: keys.kid, alg: keys.algorithm, use: 'sig' }] };
    });
    const usersUrl = await users.listen({ port: 0, host: '127.0.0.1' });
    const config = loadGatewayConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...upstreamEnv(fakes), [upstreamUrlVariable('users')]: usersUrl });
    app = await buildApp(config);
    gatewayUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app?.close();
    await users?.close();
    await Promise.all(Object.values(fakes ?? {}).map((fake) => fake.app.close()));
  });

  it('sends every header, value and position exactly as before', async () => {
    const res = await fetchRaw(`${gatewayUrl}${JWKS}`, { 'x-request-id': REQUEST_ID });
    expect(res.status).toBe(200);
    expect(res.headers.map(([name]) => name)).toEqual(expectedJwksHeaders.map(([name]) => name));
    for (const [i, [name, value]] of expectedJwksHeaders.entries()) {
      const sent = (res.headers[i] as [string, string])[1];
      if (value instanceof RegExp) expect(sent, name).toMatch(value);
      else expect(sent, name).toBe(value);
      if (clock.test(name)) expect(value).toBeInstanceOf(RegExp);
    }
  });
});

describe('Fastify reply headers (tools/patches/fastify+5.12.8.patch)', () => {
  it('stay a fast-properties object past 25 header names, also when the first replies set few', async () => {
    // V8's %HasFastProperties needs --allow-natives-syntax, hence a child process. The Fastify the
    // gateway runs, resolved from the gateway. Its first replies set 2 headers (V8 sizes a
    // constructor's objects by its first ones); then replies with 30 names, as the gateway's
    // answers with CORS and deprecation headers can reach. Unpatched, the object turns into a
    // dictionary at its 20th name.
    const fastifyPath = createRequire(import.meta.url).resolve('fastify');
    const child = `
      const Fastify = require(${JSON.stringify(fastifyPath)});
      const hasFastProperties = new Function('o', 'return %HasFastProperties(o)');
      const headersOf = (reply) => reply[Object.getOwnPropertySymbols(reply).find((s) => s.description === 'fastify.reply.headers')];
      const app = Fastify();
      const seen = [];
      app.get('/few', (request, reply) => { reply.header('x-one', '1').header('X-Two', '2').send('ok'); });
      app.get('/many', (request, reply) => {
        const headers = headersOf(reply);
        let firstSlow = null;
        for (let i = 0; i < 30; i++) {
          reply.header('X-Header-' + i, String(i));
          if (firstSlow === null && !hasFastProperties(headers)) firstSlow = i + 1;
        }
        seen.push({ firstSlow, plain: Object.getPrototypeOf(headers) === Object.prototype && headers.constructor === Object });
        reply.send('ok');
      });
      (async () => {
        for (let i = 0; i < 10; i++) await app.inject('/few');
        const many = [];
        for (let i = 0; i < 3; i++) many.push(await app.inject('/many'));
        const names = Object.keys(many[2].headers).filter((name) => name.startsWith('x-header-'));
        process.stdout.write(JSON.stringify({ seen, names: names.length }));
      })();
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--allow-natives-syntax', '-e', child]);
    expect(JSON.parse(stdout)).toEqual({ seen: Array(3).fill({ firstSlow: null, plain: true }), names: 30 });
  });
});
