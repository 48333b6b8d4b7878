import { captureLogs } from '@platform/logging/testing';
import { expectEnvelope } from './testing/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpApp, type HttpApp } from './create-http-app.js';
import { envelope, ok } from './envelope.js';
import { findNul } from './nul-guard.js';

describe('findNul', () => {
  it('names the first string with a NUL, at any depth', () => {
    expect(findNul({ a: 'ok', lines: [{ d: 'x' }, { d: 'b\u0000c' }] })).toBe('lines.1.d');
    expect(findNul({ a: 'ok', n: 1, b: null, c: [true] })).toBeUndefined();
    expect(findNul(Buffer.from('a\u0000b'))).toBeUndefined();
  });
});

describe('the NUL guard every app has', () => {
  let app: HttpApp;
  const stored: unknown[] = [];
  beforeAll(async () => {
    app = await createHttpApp({ service: 'test', logger: captureLogs().logger });
    app.post(
      '/things/:name',
      { schema: { params: z.object({ name: z.string() }), querystring: z.object({ q: z.string().optional() }), body: z.strictObject({ text: z.string() }), response: { 201: envelope(z.object({ ok: z.boolean() })) } } },
      async (request, reply) => {
        stored.push(request.body);
        return reply.code(201).send(ok(reply, { ok: true }));
      },
    );
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (url: string, text: string) => app.inject({ method: 'POST', url, payload: { text } });

  it.each([
    ['the body', '/things/a', 'a\u0000b', 'text'],
    ['the query string', '/things/a?q=x%00y', 'fine', 'q'],
    ['a path parameter', '/things/a%00b', 'fine', 'name'],
  ])('refuses a NUL in %s with a 400 naming the field, storing nothing', async (_what, url, text, path) => {
    const body = expectEnvelope(await post(url, text), { status: 400, code: 'VALIDATION_ERROR' });
    expect(body.data).toEqual({ issues: [{ path, message: 'NUL characters are not allowed' }] });
    expect(stored).toHaveLength(0);
  });

  it('lets clean input through', async () => {
    expectEnvelope(await post('/things/a?q=x', 'clean'), { status: 201, code: 'SUCCESS' });
    expect(stored).toHaveLength(1);
  });
});
