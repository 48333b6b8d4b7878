import { knownUser, refuseStaleTokens, type AccessClaims } from '@platform/http-kit';
import { clientOf } from '@platform/db-kit';
import { getTableName } from 'drizzle-orm';
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
  const { roleSince } = source;
  const columns = [source.isActive, source.role, ...(roleSince ? [roleSince] : [])].map((column) => quoted(column.name));
  const text = `select ${columns.join(', ')} from ${quoted(getTableName(source.table))} where ${quoted(source.userId.name)} = $1 limit 1`;
  return (ctx) => {
    // Raw postgres.js, prepared once per connection: drizzle's prepared-query wrapper (a span,
    // a per-column mapping of the row) was 4 % of billing's busy time on its hot reads
    // (docs/benchmarks.md, issue 12 round 5). The role's time is mapped by its drizzle column,
    // as drizzle did (drizzle leaves postgres.js' timestamps as text).
    const sql = clientOf(ctx.db);
    const lookup = async (userId: string) => {
      const [row] = (await sql.unsafe(text, [userId], { prepare: true }).values()) as unknown as Array<[boolean, string | null, unknown]>;
      if (!row) return undefined;
      const [isActive, role, since] = row;
      if (roleSince) return knownUser(isActive, role, since === null ? null : (roleSince.mapFromDriverValue(since) as Date));
      return { isActive, ...(role === null ? {} : { role: { name: role } }) };
    };
    return refuseStaleTokens(lookup, options);
  };
}

/** An identifier of our own schema as SQL (never input). */
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
