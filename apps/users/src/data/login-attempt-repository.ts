import { deleteInBatches, type DbOrTx } from '@platform/db-kit';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { FailureCounter } from '../domain/login-throttle.js';
import { loginFailuresTable } from './schema.js';

export type ThrottleScope = 'email' | 'client';

export interface ThrottleKey {
  scope: ThrottleScope;
  key: string;
  windowSec: number;
}

const ofKey = ({ scope, key }: Pick<ThrottleKey, 'scope' | 'key'>) => and(eq(loginFailuresTable.scope, scope), eq(loginFailuresTable.key, key));

/** Failed-login counters in Postgres, so every replica throttles on the same numbers. */
export function loginAttemptRepository(db: DbOrTx) {
  return {
    async read(key: Pick<ThrottleKey, 'scope' | 'key'>): Promise<FailureCounter | undefined> {
      const [row] = await db.select().from(loginFailuresTable).where(ofKey(key));
      return row ? { failures: row.failures, windowStartedAt: row.windowStartedAt } : undefined;
    },

    /**
     * Counts one attempt as a failure up front, in one atomic statement, unless the current window
     * already holds `limit` (mirrors `afterFailure`; a window that has ended restarts at 1). The
     * row lock serialises concurrent attempts: of 20 at once against a limit of 5, exactly 5 get
     * through. Returns false when throttled. The database clock decides, so replicas agree.
     */
    async reserve({ scope, key, windowSec, limit }: ThrottleKey & { limit: number }): Promise<boolean> {
      const expired = sql`${loginFailuresTable.windowStartedAt} <= now() - make_interval(secs => ${windowSec})`;
      const rows = await db
        .insert(loginFailuresTable)
        .values({ scope, key, failures: 1, windowStartedAt: sql`now()` })
        .onConflictDoUpdate({
          target: [loginFailuresTable.scope, loginFailuresTable.key],
          set: {
            failures: sql`case when ${expired} then 1 else ${loginFailuresTable.failures} + 1 end`,
            windowStartedAt: sql`case when ${expired} then now() else ${loginFailuresTable.windowStartedAt} end`,
          },
          setWhere: sql`${expired} or ${loginFailuresTable.failures} < ${limit}`,
        })
        .returning({ failures: loginFailuresTable.failures });
      return rows.length > 0;
    },

    /** Gives back one reserved attempt (it turned out not to be a failure). */
    async release(key: Pick<ThrottleKey, 'scope' | 'key'>): Promise<void> {
      await db
        .update(loginFailuresTable)
        .set({ failures: sql`greatest(${loginFailuresTable.failures} - 1, 0)` })
        .where(ofKey(key));
    },

    async reset(key: Pick<ThrottleKey, 'scope' | 'key'>): Promise<void> {
      await db.delete(loginFailuresTable).where(ofKey(key));
    },

    /** Drops counters whose window started more than `seconds` ago (the retention worker); returns how many. */
    pruneOlderThan(seconds: number): Promise<number> {
      return deleteInBatches(db, loginFailuresTable, lt(loginFailuresTable.windowStartedAt, sql`now() - make_interval(secs => ${seconds})`));
    },
  };
}
