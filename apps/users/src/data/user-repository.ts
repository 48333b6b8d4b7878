import type { Db, DbOrTx } from '@platform/db-kit';
import { findPage, type Page } from '@platform/db-kit';
import { and, count, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { containsPattern } from '../domain/user-input.js';
import { usersTable, type UserRow } from './schema.js';

export type Role = UserRow['role'];

export interface NewUser {
  email: string;
  passwordHash: string;
  fullName: string;
  role?: Role;
}

export type UserChanges = Partial<
  Pick<UserRow, 'fullName' | 'role' | 'isActive' | 'bio' | 'avatarUrl' | 'phone' | 'timezone' | 'language' | 'passwordHash' | 'lastLoginAt' | 'updatedAt'>
>;

export interface UserListQuery {
  page: number;
  pageSize: number;
  search?: string;
  role?: Role;
  isActive?: boolean;
}

/** Repository over `users`; give it the db or a transaction. */
export function userRepository(db: DbOrTx) {
  return {
    async findById(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(usersTable).where(eq(usersTable.id, id)).limit(1);
      return row;
    },

    async findByEmail(email: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(usersTable).where(eq(usersTable.email, email)).limit(1);
      return row;
    },

    /** Locks the row for the rest of the transaction (concurrent admin changes serialise). */
    async findByIdForUpdate(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(usersTable).where(eq(usersTable.id, id)).limit(1).for('update');
      return row;
    },

    /** Undefined when the e-mail is taken (the unique index decides, so concurrent sign-ups are safe). */
    async insert(user: NewUser): Promise<UserRow | undefined> {
      const [row] = await db.insert(usersTable).values(user).onConflictDoNothing({ target: usersTable.email }).returning();
      return row;
    },

    async update(id: string, changes: UserChanges): Promise<UserRow | undefined> {
      const [row] = await db.update(usersTable).set(changes).where(eq(usersTable.id, id)).returning();
      return row;
    },

    async list(query: UserListQuery): Promise<Page<UserRow>> {
      const filters: SQL[] = [];
      if (query.search !== undefined) {
        const pattern = containsPattern(query.search);
        filters.push(or(ilike(usersTable.fullName, pattern), ilike(usersTable.email, pattern)) as SQL);
      }
      if (query.role !== undefined) filters.push(eq(usersTable.role, query.role));
      if (query.isActive !== undefined) filters.push(eq(usersTable.isActive, query.isActive));
      const where = filters.length ? and(...filters) : undefined;
      return findPage(
        query,
        ({ limit, offset }) =>
          db.select().from(usersTable).where(where).orderBy(desc(usersTable.createdAt), desc(usersTable.id)).limit(limit).offset(offset),
        async () => (await db.select({ n: count() }).from(usersTable).where(where))[0]?.n ?? 0,
      );
    },
  };
}

/** The user by id, prepared: `GET /users/me` is the hottest read of the service. */
export function prepareUserById(db: Db) {
  const statement = db.select().from(usersTable).where(eq(usersTable.id, sql.placeholder('id'))).limit(1).prepare('users_by_id');
  return async (id: string): Promise<UserRow | undefined> => (await statement.execute({ id }))[0];
}
