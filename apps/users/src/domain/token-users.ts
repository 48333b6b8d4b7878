import { isStaleToken, type AccessClaims } from '@platform/http-kit';
import type { Db } from '@platform/db-kit';
import { prepareUserById } from '../data/user-repository.js';
import type { UserRow } from '../data/schema.js';

/**
 * The users service judges every token against its own row of the user (docs/contract.md §3:
 * deactivated, or the role changed since the token was issued → refused; an unknown user too),
 * and `GET /users/me` answers that very row. One prepared primary-key read now serves both: the
 * check reads the whole row and leaves it with the request's claims, `/me` takes it from there
 * (two round trips per `/me` before, the second for the row the first had just looked at).
 */
export function tokenUsers() {
  const rows = new WeakMap<AccessClaims, UserRow>();
  return {
    /** `createService({ isRevoked })`: the stale-token check, remembering the row it read. */
    isRevoked(ctx: { db: Db }) {
      const userById = prepareUserById(ctx.db);
      return async (claims: AccessClaims): Promise<boolean> => {
        const row = await userById(claims.sub);
        if (!row) return true;
        // This table is where roles live: its role is current, no `since`.
        if (isStaleToken(claims, { isActive: row.isActive, role: { name: row.role } })) return true;
        rows.set(claims, row);
        return false;
      };
    },
    /** The row the check read for these (the request's) claims, if it ran for this request. */
    rowFor(claims: AccessClaims): UserRow | undefined {
      return rows.get(claims);
    },
  };
}

export type TokenUsers = ReturnType<typeof tokenUsers>;
