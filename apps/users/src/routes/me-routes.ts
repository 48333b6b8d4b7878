import { envelope, errorResponses, ok, type RouteRegistrar } from '@platform/http-kit';
import * as z from 'zod';
import type { UsersDeps } from '../deps.js';
import { passwordSchema, presentedPasswordSchema } from '../domain/password-policy.js';
import { fullNameSchema, nonEmpty, profilePatchSchema } from '../domain/user-input.js';
import { changePassword } from '../use-cases/change-password.js';
import { getUser } from '../use-cases/get-user.js';
import { updateMe } from '../use-cases/update-me.js';
import { toUserDto, userSchema } from './user-dto.js';

// Only name and profile: role, isActive, email and the rest are not in the schema, so they are 400s.
const PatchMeBody = z
  .strictObject({ fullName: fullNameSchema.optional(), profile: profilePatchSchema.optional() })
  .refine((body) => body.fullName !== undefined || (body.profile !== undefined && nonEmpty(body.profile)), 'Nothing to update');
const ChangePasswordBody = z.strictObject({ currentPassword: presentedPasswordSchema, newPassword: passwordSchema });

/** `/api/v1/users/me` (any user): the caller's own account. */
export const meRoutes: RouteRegistrar<UsersDeps> = (app, deps) => {
  app.get('/me', {
    schema: { summary: 'Own user', response: { 200: envelope(userSchema), ...errorResponses(401, 404) } },
    // The token check has just read the caller's user, in the answer's shape (one round trip, not two).
  }, async (request, reply) => ok(reply, deps.tokenUser(request.user) ?? toUserDto(await getUser(deps, request.user.sub))));

  app.patch('/me', {
    schema: { summary: 'Change own name and profile', body: PatchMeBody, response: { 200: envelope(userSchema), ...errorResponses(400, 401, 404) } },
    // The row the token check read guards the one-statement write (see update-me.ts).
  }, async (request, reply) => ok(reply, await updateMe(deps, request.user.sub, request.body, request.id, deps.tokenUser(request.user)), 'Updated'));

  app.post('/me/password', {
    schema: { summary: 'Change own password (ends every login)', body: ChangePasswordBody, response: { 200: envelope(z.null()), ...errorResponses(400, 401, 404, 429) } },
  }, async (request, reply) => {
    await changePassword(deps, request.user.sub, request.body, request.ip, request.id);
    return ok(reply, null, 'Password changed');
  });
};
