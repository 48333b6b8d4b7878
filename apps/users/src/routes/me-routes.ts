import { envelope, errorResponses, notFound, ok, requireAuth, unauthorized, type HttpApp } from '@platform/http-kit';
import { z } from 'zod';
import { userRepository, type UserChanges } from '../data/user-repository.js';
import { passwordSchema, presentedPasswordSchema } from '../domain/password-policy.js';
import { fullNameSchema, nonEmpty, profilePatchSchema } from '../domain/user-input.js';
import { userEvents } from '../events/user-events.js';
import type { UsersDeps } from './deps.js';
import { toUserDto, userSchema } from './user-dto.js';

// Only name and profile: role, isActive, email and the rest are not in the schema, so they are 400s.
const PatchMeBody = z
  .strictObject({ fullName: fullNameSchema.optional(), profile: profilePatchSchema.optional() })
  .refine((body) => body.fullName !== undefined || (body.profile !== undefined && nonEmpty(body.profile)), 'Nothing to update');
const ChangePasswordBody = z.strictObject({ currentPassword: presentedPasswordSchema, newPassword: passwordSchema });

export function registerMeRoutes(app: HttpApp, deps: UsersDeps): void {
  const { db, hasher, loginGuard, sessions } = deps;

  app.get('/api/v1/users/me', {
    onRequest: [requireAuth()],
    schema: { tags: ['users'], summary: 'Own user', response: { 200: envelope(userSchema), ...errorResponses(401, 404) } },
  }, async (request, reply) => {
    const user = await deps.userById(request.user.sub);
    if (!user) throw notFound('User not found');
    return ok(reply, toUserDto(user));
  });

  app.patch('/api/v1/users/me', {
    onRequest: [requireAuth()],
    schema: { tags: ['users'], summary: 'Change own name and profile', body: PatchMeBody, response: { 200: envelope(userSchema), ...errorResponses(400, 401, 404) } },
  }, async (request, reply) => {
    const { fullName, profile = {} } = request.body;
    const changes: UserChanges = { fullName, ...profile };
    const user = await db.transaction(async (tx) => {
      const users = userRepository(tx);
      const before = await users.findByIdForUpdate(request.user.sub);
      if (!before) return undefined;
      const after = await users.update(before.id, changes);
      // Other services keep the name (event snapshot); the profile is the users service's own.
      if (after && after.fullName !== before.fullName) await userEvents.updated(tx, after, request.id);
      return after;
    });
    if (!user) throw notFound('User not found');
    return ok(reply, toUserDto(user), 'Updated');
  });

  app.post('/api/v1/users/me/password', {
    onRequest: [requireAuth()],
    schema: { tags: ['users'], summary: 'Change own password (ends every login)', body: ChangePasswordBody, response: { 200: envelope(z.null()), ...errorResponses(400, 401, 404, 429) } },
  }, async (request, reply) => {
    const { currentPassword, newPassword } = request.body;
    const users = userRepository(db);
    const user = await users.findById(request.user.sub);
    if (!user) throw notFound('User not found');
    // A stolen access token must not become a password-guessing oracle: same throttle as login.
    const attempt = await loginGuard.reserve(user.email, request.ip);
    if (!(await hasher.verify(user.passwordHash, currentPassword))) throw unauthorized('Current password is incorrect');
    await attempt.release();
    const passwordHash = await hasher.hash(newPassword);
    await db.transaction(async (tx) => {
      await userRepository(tx).update(user.id, { passwordHash });
      await sessions.revokeAll(tx, user.id);
      await userEvents.passwordChanged(tx, user.id, request.id);
    });
    return ok(reply, null, 'Password changed');
  });
}
