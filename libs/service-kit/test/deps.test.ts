import { fileURLToPath } from 'node:url';
import { envelope, ok, requireAuth, routeGroup } from '@platform/http-kit';
import { bearer } from '@platform/http-kit/testing';
import { createLogger } from '@platform/logging';
import { boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createService, staleTokenCheck, staleTokenCheckAlong, type ServiceDeps, type ServiceWorker } from '../src/index.js';
import { createTestServiceEnv, type TestServiceEnv } from '../src/testing/index.js';

const migrationsFolder = fileURLToPath(new URL('../../messaging/test/migrations', import.meta.url));
const logger = createLogger({ service: 'deps-test', level: 'silent' });

// A projection as billing, notifications and analytics keep one (created by the test itself).
const knownUsers = pgTable('known_users', {
  userId: uuid('user_id').primaryKey(),
  isActive: boolean('is_active').notNull(),
  role: text('role'),
  roleSince: timestamp('role_since', { withTimezone: true }),
});

const source = { table: knownUsers, userId: knownUsers.userId, isActive: knownUsers.isActive, role: knownUsers.role, roleSince: knownUsers.roleSince };

let env: TestServiceEnv;
beforeAll(async () => {
  env = await createTestServiceEnv('deps');
});
afterAll(async () => {
  await env?.cleanup();
});

describe('createService deps, route registrars and staleTokenCheck', () => {
  it('gives routes and workers one deps object, and refuses stale tokens from the projection', async () => {
    const seen: string[] = [];
    type Deps = ServiceDeps<Record<string, never>, { greeting: string }>;
    const worker = (deps: Deps): ServiceWorker => ({ name: 'greeter', start: () => void seen.push(`worker: ${deps.greeting}`), stop: async () => undefined });
    const service = await createService({
      config: env.config,
      logger,
      schema: {},
      migrationsFolder,
      deps: () => ({ greeting: 'hello' }),
      workers: (deps) => [worker(deps)],
      isRevoked: staleTokenCheck(source),
      routes: [
        // The same judgement with a read in the same statement, for one group's routes only.
        (app, deps) => {
          const along = staleTokenCheckAlong<{ note: string }>(source, `(select json_build_object('note', 'for ' || $1::text))`)(deps);
          return routeGroup<Deps>({ prefix: '/api/v1/notes', auth: requireAuth({ isRevoked: along.isRevoked }) }, (group) => {
            group.get('', { schema: { response: { 200: envelope(z.object({ note: z.string().nullable() })) } } }, async (request, reply) =>
              ok(reply, { note: along.readFor(request.user)?.note ?? null }),
            );
          })(app, deps);
        },
        routeGroup<Deps>({ prefix: '/api/v1/greetings', tags: ['greetings'], auth: requireAuth() }, (app, deps) => {
          app.get('', { schema: { response: { 200: envelope(z.object({ greeting: z.string() })) } } }, async (_request, reply) => ok(reply, { greeting: deps.greeting }));
        }),
      ],
    });
    try {
      expect(seen).toEqual(['worker: hello']);
      expect((await service.app.inject({ method: 'GET', url: '/ready' })).json().data.checks).toMatchObject({ greeter: 'up' });
      await service.ctx.sql`create table known_users (user_id uuid primary key, is_active boolean not null, role text, role_since timestamptz)`;
      const [active, gone, demoted, unknown] = ['1', '2', '3', '4'].map((n) => `8f8c2a4e-7a7b-4b65-9d3c-3f1f4f0c2b1${n}`) as [string, string, string, string];
      await service.ctx.sql`insert into known_users values (${active}, true, 'user', now()), (${gone}, false, null, null), (${demoted}, true, 'user', now() + interval '1 minute')`;
      const call = async (url: string, sub: string, role: 'user' | 'admin') => service.app.inject({ method: 'GET', url, headers: bearer(await env.token({ sub, role })) });
      const get = async (sub: string, role: 'user' | 'admin') => (await call('/api/v1/greetings', sub, role)).statusCode;
      expect(await get(active, 'user')).toBe(200);
      expect(await get(gone, 'user')).toBe(401);
      // An admin token issued before the demotion we know of falls; an unknown user is accepted (no event yet).
      expect(await get(demoted, 'admin')).toBe(401);
      expect(await get(unknown, 'user')).toBe(200);
      // staleTokenCheckAlong judges every one of them the same, and hands the route what it read.
      for (const [sub, role] of [[active, 'user'], [gone, 'user'], [demoted, 'admin'], [demoted, 'user'], [unknown, 'user'], [unknown, 'admin']] as const) {
        const res = await call('/api/v1/notes', sub, role);
        expect(res.statusCode).toBe(await get(sub, role));
        if (res.statusCode === 200) expect(res.json().data).toEqual({ note: `for ${sub}` });
      }
      expect(() => service.ctx.signAccessToken({ sub: active, role: 'user', jti: 'x' })).toThrow(/no token signing/);
    } finally {
      await service.app.close();
    }
  });
});
