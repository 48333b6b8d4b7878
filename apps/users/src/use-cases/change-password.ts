import { notFound, unauthorized } from '@platform/http-kit';
import { userRepository } from '../data/user-repository.js';
import type { UsersDeps } from '../deps.js';
import { userEvents } from '../publisher.js';

/** A new password for the caller, proven by the current one; every login of theirs ends. */
export async function changePassword(
  deps: UsersDeps,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  clientIp: string,
  requestId: string,
): Promise<void> {
  const { db, hasher, loginGuard, sessions } = deps;
  const user = await userRepository(db).findById(userId);
  if (!user) throw notFound('User not found');
  // A stolen access token must not become a password-guessing oracle: same throttle as login.
  const attempt = await loginGuard.reserve(user.email, clientIp);
  if (!(await hasher.verify(user.passwordHash, input.currentPassword))) throw unauthorized('Current password is incorrect');
  await attempt.release();
  const passwordHash = await hasher.hash(input.newPassword);
  await db.transaction(async (tx) => {
    await userRepository(tx).update(user.id, { passwordHash });
    await sessions.revokeAll(tx, user.id);
    await userEvents.passwordChanged(tx, user.id, requestId);
  });
}
