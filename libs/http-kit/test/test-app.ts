import { captureLogs } from '@platform/logging/testing';
import { z } from 'zod';
import {
  conflict,
  createHttpApp,
  created,
  envelope,
  errorResponses,
  ok,
  page,
  pagedEnvelope,
  paginationQuery,
  requireAuth,
  requireRole,
  tooManyRequests,
  type HttpAppOptions,
} from '../src/index.js';

const invoiceBody = z.strictObject({
  email: z.email(),
  password: z.string().min(8),
  lines: z.array(z.strictObject({ description: z.string(), quantity: z.number().int().min(1) })).optional(),
});

const publicUser = z.object({ id: z.string(), email: z.string() });

/** An app with representative routes, as a service would build it. */
export async function buildTestApp(overrides: Partial<HttpAppOptions> = {}) {
  const logs = captureLogs('users');
  const app = await createHttpApp({ service: 'users', logger: logs.logger, openapi: { title: 'users', version: '1.0.0' }, ...overrides });

  app.post(
    '/things',
    { schema: { body: invoiceBody, response: { 201: envelope(publicUser), ...errorResponses(400, 409) } } },
    async (request, reply) => {
      if (request.body.email === 'taken@example.com') throw conflict('E-mail already registered');
      // passwordHash is not in the response schema and must never leave the process.
      return created(reply, { id: 'u1', email: request.body.email, passwordHash: 'argon2id$secret' });
    },
  );
  app.post('/actions/:id/issue', { schema: { params: z.object({ id: z.uuid() }), response: { 200: envelope(z.object({ issued: z.boolean() })) } } }, async (_request, reply) =>
    ok(reply, { issued: true }),
  );
  app.get('/things', { schema: { querystring: paginationQuery, response: { 200: pagedEnvelope(publicUser) } } }, async (request, reply) => {
    const { page: p, pageSize } = request.query;
    return page(reply, { items: [{ id: 'u1', email: 'a@example.com', passwordHash: 'x' }], total: 41 }, { page: p, pageSize });
  });
  app.get('/bad-output', { schema: { response: { 200: envelope(publicUser) } } }, async (_request, reply) =>
    // A handler bug: the data does not match its schema. Must be a 500, never a leak.
    ok(reply, { id: 42, email: 'x' } as unknown as { id: string; email: string }),
  );
  // Each a different way to break a compiled response schema (output-serializer.ts): all must be a logged 500.
  const strictOutput = envelope(z.object({ id: z.uuid(), kind: z.enum(['a', 'b']), count: z.number().int(), at: z.iso.datetime().nullable() }));
  const goodOutput = { id: '8f8c2a4e-7a7b-4b65-9d3c-3f1f4f0c2b1a', kind: 'a', count: 1, at: null };
  const badOutputs: Record<string, unknown> = {
    good: goodOutput,
    uuid: { ...goodOutput, id: 'not-a-uuid' },
    enum: { ...goodOutput, kind: 'c' },
    int: { ...goodOutput, count: 1.5 },
    nan: { ...goodOutput, count: Number.NaN },
    missing: { id: goodOutput.id, kind: 'a', at: null },
    datetime: { ...goodOutput, at: '2026-12-01 17:00:00' },
    date: { ...goodOutput, at: new Date(0) },
  };
  app.get('/bad-output/:kind', { schema: { params: z.object({ kind: z.string() }), response: { 200: strictOutput } } }, async (request, reply) =>
    ok(reply, badOutputs[request.params.kind] as z.infer<typeof strictOutput>['data']),
  );
  app.get('/boom', async () => {
    throw new Error('relation "users" does not exist at SELECT password_hash FROM users');
  });
  app.get('/db-down', async () => {
    // What drizzle throws when the pool cannot reach Postgres: the query (and its parameters) in the message.
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    throw new Error('Failed query: select password_hash from users where email = $1\nparams: ada@example.com', { cause: refused });
  });
  app.get('/limited', async () => {
    throw tooManyRequests(30);
  });
  app.get('/header-check', { schema: { headers: z.object({ 'x-tenant': z.string().min(3) }) } }, async (_request, reply) => ok(reply, null));
  if (overrides.auth) {
    app.get('/me', { onRequest: [requireAuth()], schema: { response: { 200: envelope(z.object({ sub: z.string(), role: z.string() })) } } }, async (request, reply) =>
      ok(reply, { sub: request.user.sub, role: request.user.role }),
    );
    app.get('/admin', { onRequest: [requireRole('admin')] }, async (request, reply) => ok(reply, { sub: request.user.sub }));
    app.get('/decorated', { onRequest: [app.authenticate] }, async (request, reply) => ok(reply, { role: request.user.role }));
  }
  await app.ready();
  return { app, logs };
}
