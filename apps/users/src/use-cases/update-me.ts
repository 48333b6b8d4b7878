import { notFound } from '@platform/http-kit';
import { userViewOf, type UserView } from '../data/user-view.js';
import { userRepository, type UserChanges } from '../data/user-repository.js';
import type { UsersDeps } from '../deps.js';
import { userEvents } from '../publisher.js';

export interface OwnChanges {
  fullName?: string;
  profile?: Pick<UserChanges, 'bio' | 'avatarUrl' | 'phone' | 'timezone' | 'language'>;
}

/**
 * The caller's own name and profile; `updated` is published only when the name changed.
 *
 * `known` is the caller's user as this request's token check read it. With it, the change and its
 * event are one statement (one round trip, one transaction; the relay is woken after it) guarded by
 * that row's e-mail and role, so the event's snapshot is the row after the change; either way the
 * event's occurredAt is the row's new updated_at, taken under the lock. When the row
 * changed meanwhile (an admin changed the role, deactivated the user), or without `known`, the
 * locking transaction below decides, as it always did.
 */
export async function updateMe(deps: UsersDeps, userId: string, input: OwnChanges, requestId: string, known?: UserView): Promise<UserView> {
  const changes: UserChanges = { fullName: input.fullName, ...input.profile };
  if (known && known.id === userId) {
    const event = input.fullName === undefined ? undefined : userEvents.updatedRow({ ...known, fullName: input.fullName }, requestId);
    const done = await deps.updateOwn({ id: userId, expected: known, changes, updatedAt: new Date(), event });
    if (done) return done.user;
  }
  const user = await deps.db.transaction(async (tx) => {
    const users = userRepository(tx);
    const before = await users.findByIdForUpdate(userId);
    if (!before) return undefined;
    // Ordered like the one statement's: the event carries the row's new updated_at as occurredAt.
    const after = await users.updateInOrder(before.id, changes);
    // Other services keep the name (event snapshot); the profile is the users service's own.
    if (after && after.fullName !== before.fullName) await userEvents.updated(tx, after, requestId, after.updatedAt);
    return after;
  });
  if (!user) throw notFound('User not found');
  return userViewOf(user);
}
