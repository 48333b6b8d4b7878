import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEnvelope } from './testing/index.js';
import { dependencyUnavailable } from './errors/app-error.js';
import { buildTestApp } from '../test/test-app.js';

type App = Awaited<ReturnType<typeof buildTestApp>>;

describe('createHttpApp conventions', () => {
  let ctx: App;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.app.close();
  });

  const validBody = { email: 'a@example.com', password: 'Secret123' };

  describe('request id', () => {
    it('accepts a sane incoming id and echoes it in header, envelope and logs', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/things', headers: { 'x-request-id': 'abc-123:x.y_z' }, payload: validBody });
      const body = expectEnvelope(res, { status: 201, code: 'SUCCESS', module: 'users' });
      expect(res.headers['x-request-id']).toBe('abc-123:x.y_z');
      expect(body.requestId).toBe('abc-123:x.y_z');
      expect(ctx.logs.lines.some((line) => line.requestId === 'abc-123:x.y_z')).toBe(true);
    });

    it.each(['bad id with spaces', 'x'.repeat(129), 'id\u00e9', ''])('replaces an insane id %j with a UUID', async (incoming) => {
      const res = await ctx.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': incoming } });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('generates one when absent, also on errors and 404s', async () => {
      for (const url of ['/boom', '/nope']) {
        const res = await ctx.app.inject({ method: 'GET', url });
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.json().requestId).toBe(res.headers['x-request-id']);
      }
    });
  });

  it('never logs a token passed in the query string', async () => {
    const secret = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2VjcmV0LXNpZ25hdHVyZQ';
    const res = await ctx.app.inject({ method: 'GET', url: `/things?access_token=${secret}&api_key=k3y-s3cret`, headers: { 'x-request-id': 'query-secret' } });
    expectEnvelope(res, { status: 400, code: 'VALIDATION_ERROR' });
    const lines = ctx.logs.lines.filter((line) => line.requestId === 'query-secret');
    expect(lines.some((line) => (line.req as { url?: string } | undefined)?.url === '/things?access_token=[redacted]&api_key=[redacted]')).toBe(true);
    expect(JSON.stringify(lines)).not.toMatch(/c2VjcmV0|k3y-s3cret/);
  });

  it('answers a malformed URL with an enveloped 400', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/things/%E0%A4%A' });
    expectEnvelope(res, { status: 400, code: 'VALIDATION_ERROR' });
  });

  it('answers unknown routes with a NOT_FOUND envelope', async () => {
    const body = expectEnvelope(await ctx.app.inject({ method: 'GET', url: '/nope?x=1' }), { status: 404, code: 'NOT_FOUND', module: 'users' });
    expect(body.data).toBeNull();
    // The path only: a query string may carry a secret, and it names no route.
    expect(body.message).toBe('Route GET /nope not found');
  });

  describe('request bodies', () => {
    it('rejects a text/plain body with 415', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
      expectEnvelope(res, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('rejects form bodies with 415', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
      expectEnvelope(res, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('rejects a body over 1 MiB with 413', async () => {
      const payload = JSON.stringify({ ...validBody, password: 'x'.repeat(1024 * 1024) });
      const res = await ctx.app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload });
      expectEnvelope(res, { status: 413, code: 'PAYLOAD_TOO_LARGE' });
    });

    it('rejects malformed JSON with 400', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"email": ' });
      const body = expectEnvelope(res, { status: 400, code: 'VALIDATION_ERROR' });
      expect(body.message).toMatch(/JSON/);
    });

    it('rejects prototype poisoning', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"__proto__": {"x": 1}}' });
      expectEnvelope(res, { status: 400, code: 'VALIDATION_ERROR' });
    });

    it('treats an empty JSON body as missing: 400 where a body is required', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '' });
      expectEnvelope(res, { status: 400, code: 'VALIDATION_ERROR' });
      const noHeader = await ctx.app.inject({ method: 'POST', url: '/things' });
      expectEnvelope(noHeader, { status: 400, code: 'VALIDATION_ERROR' });
    });

    it('lets body-less action routes take an empty JSON body', async () => {
      const url = '/actions/7a1c4b86-3f5e-4c4e-9a0e-2d7b1f8f9a10/issue';
      const res = await ctx.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '' });
      expectEnvelope(res, { status: 200, code: 'SUCCESS' });
    });

    it('rejects unknown fields with issues naming them', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/things', payload: { ...validBody, role: 'admin' } });
      const body = expectEnvelope<{ issues: Array<{ path: string; message: string }> }>(res, { status: 400, code: 'VALIDATION_ERROR' });
      expect(body.data.issues).toContainEqual({ path: 'role', message: 'Unknown field' });
    });

    it('reports nested paths like lines.0.quantity', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/things', payload: { ...validBody, lines: [{ description: 'a', quantity: 0 }] } });
      const body = expectEnvelope<{ issues: Array<{ path: string }> }>(res, { status: 400, code: 'VALIDATION_ERROR' });
      expect(body.data.issues.map((issue) => issue.path)).toEqual(['lines.0.quantity']);
    });

    it('validates params, query and headers the same way', async () => {
      const params = await ctx.app.inject({ method: 'POST', url: '/actions/not-a-uuid/issue' });
      expect(expectEnvelope<{ issues: Array<{ path: string }> }>(params, { status: 400, code: 'VALIDATION_ERROR' }).data.issues[0]?.path).toBe('id');
      const query = await ctx.app.inject({ method: 'GET', url: '/things?pageSize=500' });
      expect(expectEnvelope<{ issues: Array<{ path: string }> }>(query, { status: 400, code: 'VALIDATION_ERROR' }).data.issues[0]?.path).toBe('pageSize');
      const headers = await ctx.app.inject({ method: 'GET', url: '/header-check', headers: { 'x-tenant': 'a' } });
      expectEnvelope(headers, { status: 400, code: 'VALIDATION_ERROR' });
    });
  });

  describe('responses', () => {
    it('serializes through the schema, dropping fields it does not name', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/things', payload: validBody });
      const body = expectEnvelope(res, { status: 201, code: 'SUCCESS' });
      expect(body.data).toEqual({ id: 'u1', email: 'a@example.com' });
      expect(res.body).not.toContain('argon2id');
      expect(body).not.toHaveProperty('meta');
    });

    it('pages carry meta', async () => {
      const body = expectEnvelope(await ctx.app.inject({ method: 'GET', url: '/things?page=2&pageSize=20' }), { status: 200, code: 'SUCCESS' });
      expect(body.meta).toEqual({ page: 2, pageSize: 20, total: 41, totalPages: 3 });
      expect(body.data).toEqual([{ id: 'u1', email: 'a@example.com' }]);
    });

    it('maps an AppError to its status', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/things', payload: { ...validBody, email: 'taken@example.com' } });
      const body = expectEnvelope(res, { status: 409, code: 'CONFLICT' });
      expect(body).toMatchObject({ message: 'E-mail already registered', data: null });
    });

    it('hides internal errors behind a generic 500 and logs them', async () => {
      const res = await ctx.app.inject({ method: 'GET', url: '/boom' });
      const body = expectEnvelope(res, { status: 500, code: 'INTERNAL_ERROR' });
      expect(body.message).toBe('Internal server error');
      expect(res.body).not.toMatch(/password_hash|relation|stack|at /);
      const logged = ctx.logs.lines.find((line) => line.requestId === body.requestId && line.level === 'error');
      expect(JSON.stringify(logged)).toContain('password_hash');
    });

    it('answers 503 with Retry-After when a dependency is unreachable, logging one line without the query', async () => {
      const res = await ctx.app.inject({ method: 'GET', url: '/db-down' });
      const body = expectEnvelope(res, { status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).not.toMatch(/password_hash|ECONNREFUSED|5432/);
      const logged = ctx.logs.lines.filter((line) => line.requestId === body.requestId && (line.level === 'warn' || line.level === 'error'));
      expect(logged).toEqual([expect.objectContaining({ msg: 'request failed: dependency unavailable', reason: 'ECONNREFUSED' })]);
      expect(JSON.stringify(logged)).not.toContain('password_hash');
    });

    it('turns a response that breaks its schema into a logged 500', async () => {
      const res = await ctx.app.inject({ method: 'GET', url: '/bad-output' });
      const body = expectEnvelope(res, { status: 500, code: 'INTERNAL_ERROR' });
      expect(ctx.logs.lines.some((line) => line.requestId === body.requestId && line.level === 'error')).toBe(true);
    });

    it.each(['uuid', 'enum', 'int', 'nan', 'missing', 'datetime', 'date'])('refuses a response with a bad %s as a logged 500 (the compiled check)', async (kind) => {
      const res = await ctx.app.inject({ method: 'GET', url: `/bad-output/${kind}` });
      const body = expectEnvelope(res, { status: 500, code: 'INTERNAL_ERROR' });
      expect(body.message).toBe('Internal server error');
      const logged = ctx.logs.lines.find((line) => line.requestId === body.requestId && line.level === 'error');
      expect(JSON.stringify(logged)).toContain('Response doesn');
    });

    it('answers the same route with a good response', async () => {
      const body = expectEnvelope(await ctx.app.inject({ method: 'GET', url: '/bad-output/good' }), { status: 200, code: 'SUCCESS' });
      expect(body.data).toEqual({ id: '8f8c2a4e-7a7b-4b65-9d3c-3f1f4f0c2b1a', kind: 'a', count: 1, at: null });
    });

    it('keeps Retry-After on 429', async () => {
      const res = await ctx.app.inject({ method: 'GET', url: '/limited' });
      expectEnvelope(res, { status: 429, code: 'RATE_LIMITED' });
      expect(res.headers['retry-after']).toBe('30');
    });
  });

  describe('health', () => {
    it('GET /health answers ok', async () => {
      const body = expectEnvelope(await ctx.app.inject({ method: 'GET', url: '/health' }), { status: 200, code: 'SUCCESS', module: 'users' });
      expect(body.data).toEqual({ status: 'ok' });
    });

    it('probes do not flood the request log', async () => {
      const res = await ctx.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'probe-1' } });
      expect(res.statusCode).toBe(200);
      expect(ctx.logs.lines.filter((line) => line.requestId === 'probe-1')).toEqual([]);
    });

    it('GET /ready with no checks is ready', async () => {
      const body = expectEnvelope(await ctx.app.inject({ method: 'GET', url: '/ready' }), { status: 200, code: 'SUCCESS' });
      expect(body.data).toEqual({ status: 'ready', checks: {} });
    });
  });

  it('serves an OpenAPI 3 document, not enveloped, with response schemas', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: 'users', version: '1.0.0' });
    expect(doc.paths['/things'].post.requestBody).toBeDefined();
    expect(doc.paths['/things'].post.responses['201']).toBeDefined();
    expect(doc.paths['/health']).toBeDefined();
    expect(doc.paths['/openapi.json']).toBeUndefined();
  });
});

describe('readiness', () => {
  it('answers 200 when every check resolves', async () => {
    const { app } = await buildTestApp({ readiness: { postgres: async () => undefined, nats: async () => undefined } });
    const body = expectEnvelope(await app.inject({ method: 'GET', url: '/ready' }), { status: 200, code: 'SUCCESS' });
    expect(body.data).toEqual({ status: 'ready', checks: { postgres: 'up', nats: 'up' } });
    await app.close();
  });

  it('answers 503 with per-check states when a check fails or hangs', async () => {
    const { app } = await buildTestApp({
      readiness: {
        postgres: async () => undefined,
        nats: async () => {
          throw new Error('CONNECTION_REFUSED');
        },
        slow: () => new Promise(() => undefined),
      },
      readinessTimeoutMs: 100,
    });
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(Date.now() - started).toBeLessThan(1_000);
    const body = expectEnvelope(res, { status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(body.data).toEqual({ status: 'unavailable', checks: { postgres: 'up', nats: 'down', slow: 'down' } });
    await app.close();
  });
});

describe('refuse', () => {
  it("refuses the requests its check answers an error for, in the envelope with the request id, and lets the rest through", async () => {
    let down = true;
    const { app } = await buildTestApp({ refuse: (request) => (down && request.url.startsWith('/things') ? dependencyUnavailable() : undefined) });
    const refused = await app.inject({ method: 'POST', url: '/things', payload: { email: 'a@example.com', password: 'Secret123' } });
    const body = expectEnvelope(refused, { status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(refused.headers['x-request-id']).toBe(body.requestId);
    expectEnvelope(await app.inject({ method: 'GET', url: '/health' }), { status: 200, code: 'SUCCESS' });
    down = false;
    expectEnvelope(await app.inject({ method: 'POST', url: '/things', payload: { email: 'a@example.com', password: 'Secret123' } }), { status: 201, code: 'SUCCESS' });
    await app.close();
  });
});
