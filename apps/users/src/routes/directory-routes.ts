import { envelope, errorResponses, idParams, notFound, ok, page, pagedEnvelope, paginationQuery, queryBoolean, requireRole, roleSchema, type RouteRegistrar } from '@platform/http-kit';
import * as z from 'zod';
import type { UsersDeps } from '../deps.js';
import { noNul } from '../domain/text.js';
import { getUser } from '../use-cases/get-user.js';
import { listUsers } from '../use-cases/list-users.js';
import { toUserDto, userSchema } from './user-dto.js';

const ListQuery = z.strictObject({
  ...paginationQuery.shape,
  search: noNul(z.string()).trim().min(2, 'search must be 2 to 100 characters').max(100, 'search must be 2 to 100 characters').optional(),
  role: roleSchema.optional(),
  isActive: queryBoolean('isActive').optional(),
});

/** Reading users: the list for moderators and admins, one user for themselves too. */
export const directoryRoutes: RouteRegistrar<UsersDeps> = (app, deps) => {
  app.get('', {
    onRequest: [requireRole('moderator', 'admin')],
    schema: {
      summary: 'List and search users (moderator, admin)',
      querystring: ListQuery,
      response: { 200: pagedEnvelope(userSchema), ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const result = await listUsers(deps, request.query);
    return page(reply, { items: result.items.map(toUserDto), total: result.total }, request.query);
  });

  app.get('/:id', {
    schema: { summary: 'One user (self, moderator, admin)', params: idParams, response: { 200: envelope(userSchema), ...errorResponses(400, 401, 404) } },
  }, async (request, reply) => {
    const { sub, role } = request.user;
    // Another user's id is answered like a missing one: its existence is not the caller's business.
    if (sub !== request.params.id && role !== 'moderator' && role !== 'admin') throw notFound('User not found');
    return ok(reply, toUserDto(await getUser(deps, request.params.id)));
  });
};
