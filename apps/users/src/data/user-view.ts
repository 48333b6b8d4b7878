import type { Sql } from 'postgres';
import { isoUtc } from '@platform/db-kit';
import type { UserRow } from './schema.js';

/**
 * The user as the API shows it (docs/contract.md §4; `routes/user-dto.ts` validates it on the
 * way out), read in that shape straight from Postgres: no password hash, timestamps already
 * ISO 8601 in UTC with milliseconds, as `Date#toISOString` writes them.
 */
export interface UserView {
  id: string;
  email: string;
  fullName: string;
  role: UserRow['role'];
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
  profile: { bio: string | null; avatarUrl: string | null; phone: string | null; timezone: string; language: string };
}

/**
 * The columns of a `UserView`, in the order `userViewFrom` reads them. `isoUtc`: `to_char` in UTC
 * with truncated milliseconds, the same text as `toISOString()` of drizzle's Date whatever the
 * session's TimeZone (user-view.test.ts compares the two on real rows).
 */
export const USER_VIEW_COLUMNS = [
  'id', 'email', 'full_name', 'role', 'is_active', isoUtc('created_at'), isoUtc('updated_at'), isoUtc('last_login_at'),
  'bio', 'avatar_url', 'phone', 'timezone', 'language',
].join(', ');

export type UserViewValues = [string, string, string, UserRow['role'], boolean, string, string, string | null, string | null, string | null, string | null, string, string];

/** A row of `USER_VIEW_COLUMNS` (postgres.js `.values()`) as a `UserView`. */
export function userViewFrom(v: [...UserViewValues, ...unknown[]]): UserView {
  return {
    id: v[0],
    email: v[1],
    fullName: v[2],
    role: v[3],
    isActive: v[4],
    createdAt: v[5],
    updatedAt: v[6],
    lastLoginAt: v[7],
    profile: { bio: v[8], avatarUrl: v[9], phone: v[10], timezone: v[11], language: v[12] },
  };
}

/** A drizzle row as a `UserView`: what the statements above read, for the reads that go through drizzle. */
export function userViewOf(user: UserRow): UserView {
  return {
    id: user.id,
    email: user.email,
    fullName: user.fullName,
    role: user.role,
    isActive: user.isActive,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    profile: { bio: user.bio, avatarUrl: user.avatarUrl, phone: user.phone, timezone: user.timezone, language: user.language },
  };
}

const VIEW_BY_ID = `select ${USER_VIEW_COLUMNS} from users where id = $1::uuid`;

/**
 * The user by id as a `UserView`, one prepared statement (postgres.js names it once per
 * connection): the token check of every request and `GET /users/me`'s answer. Raw postgres.js
 * rather than drizzle's prepared query: no per-column mapping of a row it would then map again.
 */
export function prepareUserView(sql: Pick<Sql, 'unsafe'>) {
  // `.then` on the query, not `await` in an async function: one promise instead of three (every request's token check).
  return (id: string): Promise<UserView | undefined> =>
    sql.unsafe(VIEW_BY_ID, [id], { prepare: true }).values().then(([values]) => (values ? userViewFrom(values as unknown as UserViewValues) : undefined));
}
