import type { Db } from '@platform/db-kit';
import { eq, sql } from 'drizzle-orm';
import { userStates } from './schema.js';

/**
 * The check behind http-kit's `isRevoked`: analytics learns deactivations from the users stream
 * like every other service, so an admin's token stops working here within seconds of it. One
 * prepared primary-key lookup; a user analytics has not heard of yet is accepted.
 */
export function prepareDeactivatedCheck(db: Db): (userId: string) => Promise<boolean> {
  const statement = db
    .select({ isActive: userStates.isActive })
    .from(userStates)
    .where(eq(userStates.userId, sql.placeholder('userId')))
    .prepare('analytics_user_is_active');
  return async (userId) => {
    const [row] = await statement.execute({ userId });
    return row !== undefined && !row.isActive;
  };
}
