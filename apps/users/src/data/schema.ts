/** Every table of the users database; drizzle-kit generates `drizzle/` migrations from this file. */
import type { Role } from '@platform/contracts';
import { createdAt, updatedAt, uuidPk } from '@platform/db-kit';
import { boolean, customType, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export { inboxTable, outboxTable } from '@platform/messaging';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A role is one of three: the domain `users_role` (text, `check (value in ('user', 'moderator',
 * 'admin'))`, created in migration 0002) holds that rule, where a table CHECK did before. A table
 * CHECK is rebuilt from its stored text (stringToNode, planned, compiled) in every statement that
 * writes the table, the name change's UPDATE that never touches the role included: 2.6 % of the
 * event path's producer Postgres CPU (round 11). A domain's check runs only where a value is
 * written into the column (insert, or an update that sets the role), from the type cache.
 */
const usersRole = customType<{ data: Role }>({ dataType: () => 'users_role' });

export const usersTable = pgTable(
  'users',
  {
    id: uuidPk(),
    /** Stored trimmed and lower-cased (the input rule), so the plain unique index is case-insensitive. */
    email: text('email').notNull().unique('users_email_key'),
    passwordHash: text('password_hash').notNull(),
    fullName: text('full_name').notNull(),
    role: usersRole('role').notNull().default('user'),
    isActive: boolean('is_active').notNull().default(true),
    bio: text('bio'),
    avatarUrl: text('avatar_url'),
    phone: text('phone'),
    timezone: text('timezone').notNull().default('UTC'),
    language: text('language').notNull().default('en'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastLoginAt: timestamptz('last_login_at'),
  },
  (t) => [index('users_created_at_idx').on(t.createdAt)],
);

/**
 * Refresh tokens are stored as SHA-256 hashes only. One login starts a family; every refresh
 * marks the presented token used and adds its successor to the family, so presenting a used
 * token again (a stolen copy) is recognisable and revokes the whole family.
 */
export const refreshTokensTable = pgTable(
  'refresh_tokens',
  {
    id: uuidPk(),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull().unique('refresh_tokens_token_hash_key'),
    expiresAt: timestamptz('expires_at').notNull(),
    usedAt: timestamptz('used_at'),
    revokedAt: timestamptz('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [index('refresh_tokens_family_idx').on(t.familyId), index('refresh_tokens_user_idx').on(t.userId)],
);

/** Failed-login counters, one fixed window per (scope, key); shared by every replica. */
export const loginFailuresTable = pgTable(
  'login_failures',
  {
    scope: text('scope', { enum: ['email', 'client'] }).notNull(),
    key: text('key').notNull(),
    failures: integer('failures').notNull(),
    windowStartedAt: timestamptz('window_started_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('login_failures_window_idx').on(t.windowStartedAt)],
);

export type UserRow = typeof usersTable.$inferSelect;
export type RefreshTokenRow = typeof refreshTokensTable.$inferSelect;
