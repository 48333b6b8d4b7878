import { envelope, errorResponses, notFound, ok, requireRole, roleSchema, unprocessable, type HttpApp } from '@platform/http-kit';
import { z } from 'zod';
import type { UserRow } from '../data/schema.js';
import { userRepository, type UserChanges } from '../data/user-repository.js';
import { fullNameSchema, nonEmpty } from '../domain/user-input.js';
import { userEvents } from '../events/user-events.js';
import type { UsersDeps } from './deps.js';
import { toUserDto, userIdParams, userSchema } from './user-dto.js';

const AdminPatchBody = z
  .strictObject({ fullName: fullNameSchema.optional(), role: roleSchema.optional(), isActive: z.boolean().optional() })
  .refine(nonEmpty, 'Nothing to update');

/** Admin changes to other users: name, role, active flag; DELETE is a soft delete. */
export function registerAdminRoutes(app: HttpApp, deps: UsersDeps): void {
  const { db, sessions } = deps;

  /**
   * One change path for PATCH and DELETE: locks the row, applies what differs, and in the same
   * transaction revokes every login of a deactivated user and enqueues the events.
   */
  async function change(id: string, actorId: string, changes: UserChanges, requestId: string): Promise<UserRow> {
    if (id === actorId && ((changes.role !== undefined && changes.role !== 'admin') || changes.isActive === false)) {
      // Guards against locking the last admin out by accident; another admin can do it.
      throw unprocessable('Admins cannot demote or deactivate themselves');
    }
    const user = await db.transaction(async (tx) => {
      const users = userRepository(tx);
      const before = await users.findByIdForUpdate(id);
      if (!before) return undefined;
      const diff = Object.fromEntries(
        Object.entries(changes).filter(([key, value]) => value !== undefined && before[key as keyof UserRow] !== value),
      ) as UserChanges;
      if (Object.keys(diff).length === 0) return before;
      const after = (await users.update(id, diff)) as UserRow;
      await userEvents.updated(tx, after, requestId);
      if (diff.isActive === false) {
        await sessions.revokeAll(tx, id);
        await userEvents.deactivated(tx, id, requestId);
      }
      return after;
    });
    if (!user) throw notFound('User not found');
    return user;
  }

  app.patch('/api/v1/users/:id', {
    onRequest: [requireRole('admin')],
    schema: { tags: ['users'], summary: 'Change a user (admin)', params: userIdParams, body: AdminPatchBody, response: { 200: envelope(userSchema), ...errorResponses(400, 401, 403, 404, 422) } },
  }, async (request, reply) => {
    const user = await change(request.params.id, request.user.sub, request.body, request.id);
    return ok(reply, toUserDto(user), 'Updated');
  });

  app.delete('/api/v1/users/:id', {
    onRequest: [requireRole('admin')],
    schema: { tags: ['users'], summary: 'Deactivate a user (admin; soft delete)', params: userIdParams, response: { 200: envelope(userSchema), ...errorResponses(400, 401, 403, 404, 422) } },
  }, async (request, reply) => {
    const user = await change(request.params.id, request.user.sub, { isActive: false }, request.id);
    return ok(reply, toUserDto(user), 'Deactivated');
  });
}
