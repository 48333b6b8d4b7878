import type { Db, DbOrTx } from '@platform/db-kit';
import { knownUser, type KnownUserState } from '@platform/http-kit';
import { eq, sql } from 'drizzle-orm';
import type { ProjectedUser } from '../domain/user-projection.js';
import { billingUsers } from './schema.js';

const projected = {
  email: billingUsers.email,
  fullName: billingUsers.fullName,
  role: billingUsers.role,
  isActive: billingUsers.isActive,
  profileAt: billingUsers.profileAt,
  statusAt: billingUsers.statusAt,
};

/** Billing's projection of users: written by the users-event consumer, read by routes. */
export function billingUserRepository(db: DbOrTx) {
  return {
    /** Creates an empty row if there is none (no-op otherwise), so the caller can lock it. */
    async ensure(userId: string, source: 'event' | 'token', role: string | null = null): Promise<void> {
      await db.insert(billingUsers).values({ userId, source, role }).onConflictDoNothing({ target: billingUsers.userId });
    },

    /** Reads the row under a lock: `update` for the consumer, `share` for routes that depend on it. */
    async lock(userId: string, strength: 'update' | 'share'): Promise<ProjectedUser | undefined> {
      const [row] = await db.select(projected).from(billingUsers).where(eq(billingUsers.userId, userId)).for(strength === 'update' ? 'update' : 'share');
      return row;
    },

    async find(userId: string): Promise<ProjectedUser | undefined> {
      const [row] = await db.select(projected).from(billingUsers).where(eq(billingUsers.userId, userId));
      return row;
    },

    async save(userId: string, user: ProjectedUser): Promise<void> {
      await db.update(billingUsers).set({ ...user, source: 'event' }).where(eq(billingUsers.userId, userId));
    },
  };
}

/**
 * What billing knows of a token's user, for http-kit's `refuseStaleTokens` (run on every
 * authenticated request: one prepared primary-key lookup). The role counts only once an event
 * set it (a row opened from a token carries that token's role, which proves nothing).
 */
export function prepareKnownUser(db: Db): (userId: string) => Promise<KnownUserState | undefined> {
  const statement = db
    .select({ isActive: billingUsers.isActive, role: billingUsers.role, profileAt: billingUsers.profileAt })
    .from(billingUsers)
    .where(eq(billingUsers.userId, sql.placeholder('userId')))
    .prepare('billing_known_user');
  return async (userId) => {
    const [row] = await statement.execute({ userId });
    return row && knownUser(row.isActive, row.role, row.profileAt);
  };
}
