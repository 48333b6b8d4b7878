import { notFound } from '@platform/http-kit';
import type { UserRow } from '../data/schema.js';
import { userRepository, type UserChanges } from '../data/user-repository.js';
import type { UsersDeps } from '../deps.js';
import { userEvents } from '../publisher.js';

export interface OwnChanges {
  fullName?: string;
  profile?: Pick<UserChanges, 'bio' | 'avatarUrl' | 'phone' | 'timezone' | 'language'>;
}

/** The caller's own name and profile; `updated` is published only when the name changed. */
export async function updateMe(deps: UsersDeps, userId: string, input: OwnChanges, requestId: string): Promise<UserRow> {
  const changes: UserChanges = { fullName: input.fullName, ...input.profile };
  const user = await deps.db.transaction(async (tx) => {
    const users = userRepository(tx);
    const before = await users.findByIdForUpdate(userId);
    if (!before) return undefined;
    const after = await users.update(before.id, changes);
    // Other services keep the name (event snapshot); the profile is the users service's own.
    if (after && after.fullName !== before.fullName) await userEvents.updated(tx, after, requestId);
    return after;
  });
  if (!user) throw notFound('User not found');
  return user;
}
