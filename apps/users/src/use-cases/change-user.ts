import { notFound, unprocessable } from '@platform/http-kit';
import type { UserRow } from '../data/schema.js';
import { userRepository, type UserChanges } from '../data/user-repository.js';
import type { UsersDeps } from '../deps.js';
import { userEvents } from '../publisher.js';

export type AdminChanges = Pick<UserChanges, 'fullName' | 'role' | 'isActive'>;

/**
 * An admin's change to a user (PATCH, and DELETE as `isActive: false`): locks the row, applies
 * what differs, and in the same transaction revokes every login of a deactivated user and
 * enqueues the events.
 *
 * The change takes `updated_at` as `PATCH /users/me` does (`updateInOrder`: the database's clock,
 * at least a millisecond after the previous change) and its events carry that value as
 * `occurredAt`. Billing's projection keeps the newest snapshot and status by `occurredAt`: stamped
 * with this process's clock instead, an admin's role change or deactivation could be older than a
 * rename that took the row before it (a row whose updated_at runs ahead) and be ignored there.
 */
export async function changeUser(deps: UsersDeps, actorId: string, id: string, changes: AdminChanges, requestId: string): Promise<UserRow> {
  if (id === actorId && ((changes.role !== undefined && changes.role !== 'admin') || changes.isActive === false)) {
    // Guards against locking the last admin out by accident; another admin can do it.
    throw unprocessable('Admins cannot demote or deactivate themselves');
  }
  const user = await deps.db.transaction(async (tx) => {
    const users = userRepository(tx);
    const before = await users.findByIdForUpdate(id);
    if (!before) return undefined;
    const diff = Object.fromEntries(
      Object.entries(changes).filter(([key, value]) => value !== undefined && before[key as keyof UserRow] !== value),
    ) as AdminChanges;
    if (Object.keys(diff).length === 0) return before;
    const after = (await users.updateInOrder(id, diff)) as UserRow;
    await userEvents.updated(tx, after, requestId, after.updatedAt);
    if (diff.isActive === false) {
      await deps.sessions.revokeAll(tx, id);
      // The same instant as the snapshot: on a tie the projection lets the deactivation win.
      await userEvents.deactivated(tx, id, requestId, after.updatedAt);
    }
    return after;
  });
  if (!user) throw notFound('User not found');
  return user;
}
