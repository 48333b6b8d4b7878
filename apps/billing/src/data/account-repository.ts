import { clientOf, findPage, isoUtc, type Db, type DbOrTx, type PageQuery } from '@platform/db-kit';
import { count, desc, eq } from 'drizzle-orm';
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

/** An account as the API answers it (routes/schemas.ts `Account`): `createdAt` as ISO 8601 UTC. */
export type AccountView = Omit<AccountRow, 'createdAt'> & { createdAt: string };

// Built by Postgres in the response's shape, one JSON.parse instead of a row mapped field by field.
const ACCOUNT_JSON = `json_build_object(
  'id', id, 'userId', user_id, 'currency', currency, 'billingEmail', billing_email, 'companyName', company_name,
  'createdAt', ${isoUtc('created_at')}
)`;

/**
 * The account of the user `$1` as an `AccountView` (null without one): one select-list expression,
 * for the statement that also reads the caller's token state (deps.ts `ownAccount`).
 */
export const ACCOUNT_OF_USER = `(select ${ACCOUNT_JSON} from accounts where user_id = $1)`;

const accountByUserId = `select ${ACCOUNT_JSON} as account from accounts where user_id = $1`;

/** The user's account by user id, prepared: `GET /accounts/me` is a hot read (see invoice-reads.ts). */
export function prepareAccountByUserId(db: Db) {
  const sql = clientOf(db);
  return async (userId: string): Promise<AccountView | undefined> =>
    (await sql.unsafe<Array<{ account: AccountView }>>(accountByUserId, [userId], { prepare: true }))[0]?.account;
}
