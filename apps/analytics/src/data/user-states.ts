import type { Db } from '@platform/db-kit';
import { knownUser, type KnownUserState } from '@platform/http-kit';
import { eq, sql } from 'drizzle-orm';
import { userStates } from './schema.js';

/**
 * What analytics knows of a token's user, for http-kit's `refuseStaleTokens`: it learns
 * deactivations and role changes from the users stream like every other service, so an admin's
 * token stops working here within seconds of either. One prepared primary-key lookup.
 */
export function prepareKnownUser(db: Db): (userId: string) => Promise<KnownUserState | undefined> {
  const statement = db
    .select({ isActive: userStates.isActive, role: userStates.role, lastAt: userStates.lastAt })
    .from(userStates)
    .where(eq(userStates.userId, sql.placeholder('userId')))
    .prepare('analytics_known_user');
  return async (userId) => {
    const [row] = await statement.execute({ userId });
    return row && knownUser(row.isActive, row.role, row.lastAt);
  };
}
