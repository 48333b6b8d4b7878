import { isStaleToken, type AccessClaims } from '@platform/http-kit';
import type { Sql } from 'postgres';
import { prepareUserView, type UserView } from '../data/user-view.js';

/**
 * The users service judges every token against its own row of the user (docs/contract.md §3:
 * deactivated, or the role changed since the token was issued → refused; an unknown user too),
 * and `GET /users/me` answers that very row. One prepared primary-key read serves both: the
 * check reads the user as the API shows it and leaves it with the request's claims, `/me`
 * answers it from there (no second round trip, no second mapping). Nothing is cached across
 * requests: every token is judged by the row as it is now.
 */
export function tokenUsers() {
  const rows = new WeakMap<AccessClaims, UserView>();
  return {
    /** `createService({ isRevoked })`: the stale-token check, remembering the row it read. */
    isRevoked(ctx: { sql: Sql }) {
      const userView = prepareUserView(ctx.sql);
      return (claims: AccessClaims): Promise<boolean> =>
        userView(claims.sub).then((user) => {
          if (!user) return true;
          // This table is where roles live: its role is current, no `since`.
          if (isStaleToken(claims, { isActive: user.isActive, role: { name: user.role } })) return true;
          rows.set(claims, user);
          return false;
        });
    },
    /** The user the check read for these (the request's) claims, if it ran for this request. */
    rowFor(claims: AccessClaims): UserView | undefined {
      return rows.get(claims);
    },
  };
}

export type TokenUsers = ReturnType<typeof tokenUsers>;
