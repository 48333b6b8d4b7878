import { envelope, errorResponses, idParams, ok, requireRole, roleSchema, type RouteRegistrar } from '@platform/http-kit';
import * as z from 'zod';
import type { UsersDeps } from '../deps.js';
import { fullNameSchema, nonEmpty } from '../domain/user-input.js';
import { changeUser } from '../use-cases/change-user.js';
import { deactivateUser } from '../use-cases/deactivate-user.js';
import { toUserDto, userSchema } from './user-dto.js';

const AdminPatchBody = z
  .strictObject({ fullName: fullNameSchema.optional(), role: roleSchema.optional(), isActive: z.boolean().optional() })
  .refine(nonEmpty, 'Nothing to update');

/** Admin changes to other users: name, role, active flag; DELETE is a soft delete. */
export const adminRoutes: RouteRegistrar<UsersDeps> = (app, deps) => {
  app.patch('/:id', {
    onRequest: [requireRole('admin')],
    schema: { summary: 'Change a user (admin)', params: idParams, body: AdminPatchBody, response: { 200: envelope(userSchema), ...errorResponses(400, 401, 403, 404, 422) } },
  }, async (request, reply) => ok(reply, toUserDto(await changeUser(deps, request.user.sub, request.params.id, request.body, request.id)), 'Updated'));

  app.delete('/:id', {
    onRequest: [requireRole('admin')],
    schema: { summary: 'Deactivate a user (admin; soft delete)', params: idParams, response: { 200: envelope(userSchema), ...errorResponses(400, 401, 403, 404, 422) } },
  }, async (request, reply) => ok(reply, toUserDto(await deactivateUser(deps, request.user.sub, request.params.id, request.id)), 'Deactivated'));
};
