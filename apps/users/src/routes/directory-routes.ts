import { envelope, errorResponses, notFound, ok, page, pagedEnvelope, paginationQuery, requireAuth, requireRole, roleSchema, type HttpApp } from '@platform/http-kit';
import { z } from 'zod';
import { userRepository } from '../data/user-repository.js';
import { noNul } from '../domain/text.js';
import type { UsersDeps } from './deps.js';
import { toUserDto, userIdParams, userSchema } from './user-dto.js';

const ListQuery = z.strictObject({
  ...paginationQuery.shape,
  search: noNul(z.string()).trim().min(2, 'search must be 2 to 100 characters').max(100, 'search must be 2 to 100 characters').optional(),
  role: roleSchema.optional(),
  isActive: z.enum(['true', 'false'], 'isActive must be true or false').transform((value) => value === 'true').optional(),
});

/** Reading users: the list for moderators and admins, one user for themselves too. */
export function registerDirectoryRoutes(app: HttpApp, deps: UsersDeps): void {
  const { db } = deps;

  app.get('/api/v1/users', {
    onRequest: [requireRole('moderator', 'admin')],
    schema: {
      tags: ['users'],
      summary: 'List and search users (moderator, admin)',
      querystring: ListQuery,
      response: { 200: pagedEnvelope(userSchema), ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const result = await userRepository(db).list(request.query);
    return page(reply, { items: result.items.map(toUserDto), total: result.total }, request.query);
  });

  app.get('/api/v1/users/:id', {
    onRequest: [requireAuth()],
    schema: { tags: ['users'], summary: 'One user (self, moderator, admin)', params: userIdParams, response: { 200: envelope(userSchema), ...errorResponses(400, 401, 404) } },
  }, async (request, reply) => {
    const { sub, role } = request.user;
    // Another user's id is answered like a missing one: its existence is not the caller's business.
    const allowed = sub === request.params.id || role === 'moderator' || role === 'admin';
    const user = allowed ? await deps.userById(request.params.id) : undefined;
    if (!user) throw notFound('User not found');
    return ok(reply, toUserDto(user));
  });
}
