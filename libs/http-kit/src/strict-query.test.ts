import { captureLogs } from '@platform/logging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpApp, type HttpApp } from './create-http-app.js';
import { envelope, ok } from './envelope.js';
import { paginationQuery } from './pagination.js';
import { expectEnvelope } from './testing/index.js';

describe('query strings are strict on every route', () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await createHttpApp({ service: 'test', logger: captureLogs().logger });
    const data = { response: { 200: envelope(z.unknown()) } };
    // Written without strictObject on purpose: the kit makes them strict anyway.
    app.get('/loose', { schema: { querystring: z.object({ status: z.string().optional() }), ...data } }, async (request, reply) => ok(reply, request.query));
    app.get('/paged', { schema: { querystring: paginationQuery.extend({ status: z.string().optional() }), ...data } }, async (request, reply) => ok(reply, request.query));
    app.get('/no-query', { schema: data }, async (_request, reply) => ok(reply, 'fine'));
    app.get('/no-query-echo', { schema: data }, async (request, reply) => ok(reply, request.query));
    app.get('/hidden', { schema: { hide: true } }, async (request, reply) => ok(reply, request.query));
    await app.ready();
  });
  afterAll(() => app.close());

  const get = (url: string) => app.inject({ method: 'GET', url });

  it.each(['/loose?status=a&ownerId=x', '/paged?page=1&ownerId=x', '/no-query?ownerId=x', '/no-query?ownerId', '/no-query-echo?ownerId=1'])('refuses an unknown parameter on %s, naming it', async (url) => {
    const body = expectEnvelope<{ issues: unknown[] }>(await get(url), { status: 400, code: 'VALIDATION_ERROR' });
    expect(body.data.issues).toEqual([{ path: 'ownerId', message: 'Unknown field' }]);
  });

  it('takes the parameters a route declares', async () => {
    expect(expectEnvelope(await get('/loose?status=a'), { status: 200, code: 'SUCCESS' }).data).toEqual({ status: 'a' });
    expect(expectEnvelope(await get('/paged?page=2&status=b'), { status: 200, code: 'SUCCESS' }).data).toEqual({ page: 2, pageSize: 20, status: 'b' });
    expectEnvelope(await get('/no-query'), { status: 200, code: 'SUCCESS' });
    // A route without query parameters sees an empty query, with or without the `?`.
    expect(expectEnvelope(await get('/no-query-echo'), { status: 200, code: 'SUCCESS' }).data).toEqual({});
    expect(expectEnvelope(await get('/no-query-echo?'), { status: 200, code: 'SUCCESS' }).data).toEqual({});
    expectEnvelope(await get('/health'), { status: 200, code: 'SUCCESS' });
  });

  it('leaves hidden routes alone (the gateway forwards query strings for the service to judge)', async () => {
    expect(expectEnvelope(await get('/hidden?anything=1'), { status: 200, code: 'SUCCESS' }).data).toEqual({ anything: '1' });
  });
});

describe('an explicitly loose query schema', () => {
  it('stays loose (the only way to take any parameter)', async () => {
    const app = await createHttpApp({ service: 'test', logger: captureLogs().logger });
    app.get('/echo', { schema: { querystring: z.looseObject({}), response: { 200: envelope(z.unknown()) } } }, async (request, reply) => ok(reply, request.query));
    const body = expectEnvelope(await app.inject({ method: 'GET', url: '/echo?a=1' }), { status: 200, code: 'SUCCESS' });
    expect(body.data).toEqual({ a: '1' });
    await app.close();
  });
});
