import type { DbOrTx } from '@platform/db-kit';
import { eq } from 'drizzle-orm';
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
