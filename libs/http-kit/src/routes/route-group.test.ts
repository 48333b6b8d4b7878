import { captureLogs } from '@platform/logging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requireAuth, requireRole } from '../auth/auth-plugin.js';
import { createHttpApp, type HttpApp } from '../create-http-app.js';
import { envelope, ok } from '../envelope.js';
import { bearer, expectEnvelope, generateTestKeyPair, signTestToken, TEST_AUDIENCE, TEST_ISSUER } from '../testing/index.js';
import { routeGroup, type RouteRegistrar } from './route-group.js';
import { idParams } from './schemas.js';

const key = generateTestKeyPair();
interface Deps { greeting: string }

const itemRoutes: RouteRegistrar<Deps> = (app, deps) => {
  app.get('', { schema: { response: { 200: envelope(z.object({ greeting: z.string(), user: z.string() })) } } }, async (request, reply) =>
    ok(reply, { greeting: deps.greeting, user: request.user.sub }),
  );
  app.delete('/:id', { onRequest: [requireRole('admin')], schema: { tags: ['admin'], params: idParams, response: { 200: envelope(z.object({ id: z.string() })) } } }, async (request, reply) =>
    ok(reply, { id: request.params.id }),
  );
};
const publicRoutes: RouteRegistrar<Deps> = (app) => {
  app.get('/ping', { schema: { response: { 200: envelope(z.null()) } } }, async (_request, reply) => ok(reply, null));
};

describe('routeGroup', () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await createHttpApp({
      service: 'things',
      logger: captureLogs('things').logger,
      openapi: { title: 'things', version: '1.0.0' },
      auth: { publicKeys: [{ kid: key.kid, pem: key.publicKeyPem }], issuer: TEST_ISSUER, audience: TEST_AUDIENCE },
    });
    const deps = { greeting: 'hello' };
    await routeGroup<Deps>({ prefix: '/api/v1/things', tags: ['things'], auth: requireAuth() }, itemRoutes)(app, deps);
    await routeGroup<Deps>({ prefix: '/api/v1/open', tags: ['open'] }, publicRoutes)(app, deps);
    await app.ready();
  });
  afterAll(() => app.close());

  it('puts every route under the prefix, with the group guard first and the deps passed in', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/things' })).statusCode).toBe(401);
    const user = signTestToken(key, { role: 'user' });
    const res = await app.inject({ method: 'GET', url: '/api/v1/things', headers: bearer(user) });
    expect(expectEnvelope(res, { status: 200, code: 'SUCCESS', module: 'things' }).data).toMatchObject({ greeting: 'hello' });
    const id = '8f8c2a4e-7a7b-4b65-9d3c-3f1f4f0c2b1a';
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/things/${id}`, headers: bearer(user) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/things/${id}`, headers: bearer(signTestToken(key, { role: 'admin' })) })).statusCode).toBe(200);
  });

  it('leaves a group without auth public', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/open/ping' })).statusCode).toBe(200);
  });

  it('tags and secures the routes in OpenAPI once, a route keeping its own tags', async () => {
    const doc = app.swagger() as { paths: Record<string, Record<string, { tags?: string[]; security?: unknown[] }>> };
    expect(doc.paths['/api/v1/things']?.get).toMatchObject({ tags: ['things'], security: [{ bearerAuth: [] }] });
    expect(doc.paths['/api/v1/things/{id}']?.delete).toMatchObject({ tags: ['admin'], security: [{ bearerAuth: [] }] });
    expect(doc.paths['/api/v1/open/ping']?.get?.tags).toEqual(['open']);
    expect(doc.paths['/api/v1/open/ping']?.get?.security).toBeUndefined();
  });
});
