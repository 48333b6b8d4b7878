import { knownUser, refuseStaleTokens, type AccessClaims } from '@platform/http-kit';
import { eq, getTableName, sql } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { ServiceContext } from './create-service.js';

/** Where a service keeps what it knows of users: its users table, or its projection of `users.user.*` events. */
export interface UserStateSource {
  table: PgTable;
  userId: AnyPgColumn;
  isActive: AnyPgColumn;
  role: AnyPgColumn;
  /**
   * When the stored role was set (the event's `occurredAt`; null while no event set it). Absent
   * for the users service, whose table is where roles live: its role is current by definition.
   */
  roleSince?: AnyPgColumn;
}

/**
 * "Is this user's token still valid?", the same in every service (docs/contract.md §3): one
 * prepared primary-key lookup of `source` per authenticated request, judged by http-kit's
 * `refuseStaleTokens` (deactivated user, role changed since the token was issued). Pass it as
 * `createService({ isRevoked: staleTokenCheck(source) })`. A user the source does not know is
 * accepted (a projection not told yet) unless `unknownUser: 'refuse'` (the users service).
 */
export function staleTokenCheck(
  source: UserStateSource,
  options: { unknownUser?: 'accept' | 'refuse' } = {},
): (ctx: Pick<ServiceContext, 'db'>) => (claims: AccessClaims) => Promise<boolean> {
  return (ctx) => {
    const statement = ctx.db
      .select({ isActive: source.isActive, role: source.role, ...(source.roleSince ? { since: source.roleSince } : {}) })
      .from(source.table)
      .where(eq(source.userId, sql.placeholder('userId')))
      .limit(1)
      .prepare(`${getTableName(source.table)}_token_state`);
    const lookup = async (userId: string) => {
      const [row] = (await statement.execute({ userId })) as Array<{ isActive: boolean; role: string | null; since?: Date | null }>;
      if (!row) return undefined;
      return source.roleSince ? knownUser(row.isActive, row.role, row.since ?? null) : { isActive: row.isActive, ...(row.role === null ? {} : { role: { name: row.role } }) };
    };
    return refuseStaleTokens(lookup, options);
  };
}
