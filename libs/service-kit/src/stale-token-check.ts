import { isStaleToken, knownUser, refuseStaleTokens, type AccessClaims, type KnownUserState } from '@platform/http-kit';
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
  const columns = stateColumns(source).join(', ');
  const text = `select ${columns} from ${quoted(getTableName(source.table))} where ${quoted(source.userId.name)} = $1 limit 1`;
  return (ctx) => {
    // Raw postgres.js, prepared once per connection: drizzle's prepared-query wrapper (a span,
    // a per-column mapping of the row) was 4 % of billing's busy time on its hot reads
    // (docs/benchmarks.md, issue 12 round 5).
    const sql = clientOf(ctx.db);
    // `.then` on postgres.js' query rather than `await` in an async function: one promise, not
    // three (an awaited query is a foreign thenable: a job of its own to adopt it).
    const lookup = (userId: string) =>
      sql.unsafe(text, [userId], { prepare: true }).values().then((rows) => {
        const [row] = rows as unknown as StateValues[];
        return row ? knownState(source, row) : undefined;
      });
    return refuseStaleTokens(lookup, options);
  };
}

/** `staleTokenCheckAlong`'s check and what it read along with the user's state. */
export interface StaleTokenCheckAlong<T> {
  /** The same judgement as `staleTokenCheck(source)`, from the same row, in the same statement as the read. */
  isRevoked: (claims: AccessClaims) => Promise<boolean>;
  /**
   * What the read found for these claims (a request's `request.user`), `null` when it found
   * nothing; `undefined` when this check did not run for them (the caller then reads on its own).
   */
  readFor: (claims: AccessClaims) => T | null | undefined;
}

/**
 * `staleTokenCheck` and a route's own read in one statement, one round trip: for a hot read of the
 * caller's own data (billing's `GET /accounts/me`), where the check's lookup and the read are
 * two primary-key reads of the same user id. `read` is one SQL expression of the statement's
 * select list, `$1` the token's user id (e.g. `(select json_build_object(...) from accounts where
 * user_id = $1)`); our own text, never input. The user's state comes from a left join, so a user the
 * source does not know is judged exactly as `staleTokenCheck` judges them. The read is kept
 * only for a token that stands, and only for its request (keyed by that request's claims object).
 * Give `isRevoked` to the route's guard (http-kit `requireAuth({ isRevoked })`).
 */
export function staleTokenCheckAlong<T>(
  source: UserStateSource,
  read: string,
  options: { unknownUser?: 'accept' | 'refuse' } = {},
): (ctx: Pick<ServiceContext, 'db'>) => StaleTokenCheckAlong<T> {
  const columns = stateColumns(source).map((column) => `s.${column}`).join(', ');
  const text = `select ${columns}, ${read} from (values (1)) as one (x) left join ${quoted(getTableName(source.table))} s on s.${quoted(source.userId.name)} = $1`;
  return (ctx) => {
    const sql = clientOf(ctx.db);
    const reads = new WeakMap<AccessClaims, T | null>();
    const refuseUnknown = (options.unknownUser ?? 'accept') === 'refuse';
    return {
      isRevoked: (claims) =>
        sql.unsafe(text, [claims.sub], { prepare: true }).values().then((rows) => {
          const [row] = rows as unknown as Array<[...StateValues, T | null]>;
          if (!row) return true; // the left join always answers one row
          // The source's active flag is never null: null is the left join finding no row.
          const revoked = row[0] === null ? refuseUnknown : isStaleToken(claims, knownState(source, row as unknown as StateValues));
          if (!revoked) reads.set(claims, row[row.length - 1] as T | null);
          return revoked;
        }),
      readFor: (claims) => reads.get(claims),
    };
  };
}

type StateValues = [boolean, string | null, unknown];

function stateColumns({ isActive, role, roleSince }: UserStateSource): string[] {
  return [isActive, role, ...(roleSince ? [roleSince] : [])].map((column) => quoted(column.name));
}

/** A row of `stateColumns` as the state `refuseStaleTokens` judges. */
function knownState({ roleSince }: UserStateSource, [isActive, role, since]: StateValues): KnownUserState {
  // The role's time is mapped by its drizzle column, as drizzle did (drizzle leaves postgres.js' timestamps as text).
  if (roleSince) return knownUser(isActive, role, since === null ? null : (roleSince.mapFromDriverValue(since) as Date));
  return { isActive, ...(role === null ? {} : { role: { name: role } }) };
}

/** An identifier of our own schema as SQL (never input). */
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
