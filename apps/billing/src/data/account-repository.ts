import { findPage, type Db, type DbOrTx, type PageQuery } from '@platform/db-kit';
import { count, desc, eq, sql } from 'drizzle-orm';
import { accounts } from './schema.js';

export type AccountRow = typeof accounts.$inferSelect;
export type NewAccount = Pick<AccountRow, 'userId' | 'currency' | 'billingEmail' | 'companyName'>;

export function accountRepository(db: DbOrTx) {
  return {
    /** Inserts the user's account; `undefined` when the user already has one (unique user_id). */
    async insert(account: NewAccount): Promise<AccountRow | undefined> {
      const [row] = await db.insert(accounts).values(account).onConflictDoNothing({ target: accounts.userId }).returning();
      return row;
    },

    async findByUserId(userId: string): Promise<AccountRow | undefined> {
      const [row] = await db.select().from(accounts).where(eq(accounts.userId, userId));
      return row;
    },

    async findById(id: string): Promise<AccountRow | undefined> {
      const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
      return row;
    },

    page(query: PageQuery) {
      return findPage(
        query,
        ({ limit, offset }) => db.select().from(accounts).orderBy(desc(accounts.createdAt), desc(accounts.id)).limit(limit).offset(offset),
        async () => (await db.select({ n: count() }).from(accounts))[0]?.n ?? 0,
      );
    },
  };
}

/** The user's account by user id, prepared: `GET /accounts/me` is a hot read. */
export function prepareAccountByUserId(db: Db) {
  const statement = db.select().from(accounts).where(eq(accounts.userId, sql.placeholder('userId'))).limit(1).prepare('accounts_by_user_id');
  return async (userId: string): Promise<AccountRow | undefined> => (await statement.execute({ userId }))[0];
}
