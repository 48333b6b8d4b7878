import { expectEnvelope } from '@platform/http-kit/testing';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadGatewayConfig } from '../src/config.js';
import { WHOLE_ANSWER_MAX_BYTES } from '../src/proxy/upstream-client.js';

/** What the stand-in users service answers on the public JWKS path, per test. */
let answer: (res: ServerResponse) => void = (res) => res.end('{}');

const json = (bytes: number) => JSON.stringify({ keys: [], pad: 'x'.repeat(bytes - 20) });

describe('proxied answers: small ones sent whole, large ones streamed', () => {
  let upstream: Server;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    upstream = createServer((req, res) => (req.url === '/api/v1/auth/jwks.json' ? answer(res) : res.writeHead(404).end()));
    await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    app = await buildApp(loadGatewayConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', USERS_URL: url, UPSTREAM_TIMEOUT_MS: '500', DOCS_ENABLED: 'false' }));
  });

  afterAll(async () => {
    await app?.close();
    upstream?.closeAllConnections();
    await new Promise((done) => upstream?.close(done));
  });

  const get = () => app.inject({ method: 'GET', url: '/api/v1/auth/jwks.json', headers: { 'x-request-id': 'whole-1' } });

  it.each([
    ['a small answer (sent whole)', 200],
    ['one of exactly the bound (sent whole)', WHOLE_ANSWER_MAX_BYTES],
    ['a larger one (streamed)', WHOLE_ANSWER_MAX_BYTES + 1],
  ])('forwards %s byte for byte with its status and headers', async (_what, bytes) => {
    const body = json(bytes);
    answer = (res) => res.writeHead(203, { 'content-type': 'application/jwk-set+json', 'content-length': Buffer.byteLength(body), 'cache-control': 'public, max-age=300' }).end(body);
    const res = await get();
    expect(res.statusCode).toBe(203);
    expect(res.body).toBe(body);
    expect(res.headers['content-type']).toBe('application/jwk-set+json');
    expect(res.headers['content-length']).toBe(String(bytes));
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it.each([
    ['a small answer', true],
    ['a streamed one', false],
  ])('passes over an informational answer (103 Early Hints) to the final one: %s', async (_what, withLength) => {
    const body = json(200);
    answer = (res) => {
      res.writeEarlyHints({ link: '</keys.css>; rel=preload' });
      res.writeHead(200, { 'content-type': 'application/json', ...(withLength ? { 'content-length': Buffer.byteLength(body) } : {}) }).end(body);
    };
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(body);
  });

  it('streams an answer without a length (chunked) as it comes', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":');
      res.end('[]}');
    };
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"keys":[]}');
  });

  it('streams a multi-megabyte answer whole, through backpressure', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let left = 64;
      const more = () => {
        while (left > 0) {
          left -= 1;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    };
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.length).toBe(64 * chunk.length);
  });

  it('aborts the upstream request when its client goes away mid-answer', async () => {
    let upstreamClosed: () => void = () => undefined;
    const closed = new Promise<void>((done) => (upstreamClosed = done));
    answer = (res) => {
      res.on('close', () => upstreamClosed());
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write('x'.repeat(1024)); // and never the rest
    };
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((done, fail) => {
      request(`${address}/api/v1/auth/jwks.json`, (res) => res.once('data', () => (res.destroy(), done()))).on('error', fail).end();
    });
    // Bounded by the test's timeout: the upstream sees its connection closed.
    await closed;
  });

  it('answers HEAD with the upstream length and no body', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }).end();
    const res = await app.inject({ method: 'HEAD', url: '/api/v1/auth/jwks.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe('2');
    expect(res.body).toBe('');
  });

  it('drops x-powered-by from an upstream answer, as helmet would', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json', 'x-powered-by': 'Express' }).end('{}');
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers 503 in its own envelope, without the upstream headers, when the upstream dies mid-answer', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000, 'cache-control': 'public, max-age=300' });
      res.write('{"keys":[');
      setImmediate(() => res.destroy());
    };
    const res = await get();
    expectEnvelope(res, { status: 503, code: 'SERVICE_UNAVAILABLE', module: 'gateway' });
    expect(res.headers['cache-control']).toBeUndefined();
    expect(res.headers['x-request-id']).toBe('whole-1');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 504 when the rest of a small answer does not come in time', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
      res.write('{"keys":[');
    };
    expectEnvelope(await get(), { status: 504, code: 'GATEWAY_TIMEOUT', module: 'gateway' });
  });
});
