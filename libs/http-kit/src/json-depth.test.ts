import { captureLogs } from '@platform/logging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpApp, type HttpApp } from './create-http-app.js';
import { envelope, ok } from './envelope.js';
import { jsonNestingExceeds, MAX_JSON_DEPTH } from './json-depth.js';
import { expectEnvelope } from './testing/index.js';

const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

describe('jsonNestingExceeds', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(jsonNestingExceeds(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonNestingExceeds(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonNestingExceeds(nestedObject(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonNestingExceeds(`{"text": "${'['.repeat(100)}", "q": "\\"[[[[", "n": [1, {"b": []}]}`)).toBe(false);
    expect(jsonNestingExceeds(`[${'[]'.repeat(10_000)}]`)).toBe(false);
  });

  it('reads raw bytes the same way (the gateway checks bodies it never parses)', () => {
    expect(jsonNestingExceeds(Buffer.from(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(jsonNestingExceeds(Buffer.from(`{"é": "[[[", "ü": [[]]}`))).toBe(false);
  });
});

describe('deeply nested JSON at every app', () => {
  let app: HttpApp;
  const logs = captureLogs('test');
  const stored: unknown[] = [];
  beforeAll(async () => {
    app = await createHttpApp({ service: 'test', logger: logs.logger });
    app.post('/things', { schema: { body: z.strictObject({ data: z.unknown() }), response: { 201: envelope(z.null()) } } }, async (request, reply) => {
      stored.push(request.body);
      return reply.code(201).send(ok(reply, null));
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (payload: string) => app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload });

  it.each([
    ['33 levels of arrays', `{"data": ${nested(MAX_JSON_DEPTH)}}`],
    ['100,000 levels (a stack overflow in anything recursive)', `{"data": ${nested(100_000)}}`],
    ['100,000 levels of objects', `{"data": ${nestedObject(100_000)}}`],
  ])('refuses %s with a 400 before anything recursive runs, storing nothing', async (_what, payload) => {
    const body = expectEnvelope(await post(payload), { status: 400, code: 'VALIDATION_ERROR', module: 'test' });
    expect(body.message).toMatch(/nested deeper than 32/);
    expect(stored).toHaveLength(0);
    expect(logs.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('takes 32 levels (the body object is the first)', async () => {
    expectEnvelope(await post(`{"data": ${nested(MAX_JSON_DEPTH - 1)}}`), { status: 201, code: 'SUCCESS' });
    expect(stored).toHaveLength(1);
  });
});
