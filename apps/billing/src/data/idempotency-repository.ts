import { deleteInBatches, type DbOrTx } from '@platform/db-kit';
import { and, eq, lt, sql } from 'drizzle-orm';
import { idempotencyKeys } from './schema.js';

export interface StoredResponse {
  requestHash: string;
  response: unknown;
}

/**
 * Idempotency keys, scoped to the caller. `claim` inserts the key inside the caller's
 * transaction: a concurrent request with the same key waits on the primary key until that
 * transaction ends, then finds the stored response (or, if it rolled back, claims the key itself).
 */
export function idempotencyRepository(db: DbOrTx) {
  const match = (callerId: string, key: string) => and(eq(idempotencyKeys.callerId, callerId), eq(idempotencyKeys.key, key));
  return {
    /** True when this request owns the key now; false when it was used before. */
    async claim(callerId: string, key: string, requestHash: string): Promise<boolean> {
      const rows = await db.insert(idempotencyKeys).values({ callerId, key, requestHash }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
      return rows.length === 1;
    },

    async find(callerId: string, key: string): Promise<StoredResponse | undefined> {
      const [row] = await db
        .select({ requestHash: idempotencyKeys.requestHash, response: idempotencyKeys.response })
        .from(idempotencyKeys)
        .where(match(callerId, key));
      return row;
    },

    async complete(callerId: string, key: string, response: unknown): Promise<void> {
      await db.update(idempotencyKeys).set({ response }).where(match(callerId, key));
    },

    /** Forgets keys first used more than `olderThanMs` ago (the retention worker); returns how many. */
    pruneOlderThan(olderThanMs: number): Promise<number> {
      return deleteInBatches(db, idempotencyKeys, lt(idempotencyKeys.createdAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`));
    },
  };
}
