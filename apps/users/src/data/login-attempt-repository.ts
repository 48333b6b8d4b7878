import { deleteInBatches, type DbOrTx } from '@platform/db-kit';
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { FailureCounter } from '../domain/login-throttle.js';
import { loginFailuresTable } from './schema.js';

export type ThrottleScope = 'email' | 'client';

export interface ThrottleKey {
  scope: ThrottleScope;
  key: string;
  windowSec: number;
}

/** Failed-login counters in Postgres, so every replica throttles on the same numbers. */
export function loginAttemptRepository(db: DbOrTx) {
  return {
    async read(keys: Array<Pick<ThrottleKey, 'scope' | 'key'>>): Promise<Map<string, FailureCounter>> {
      const rows = await db
        .select()
        .from(loginFailuresTable)
        .where(or(...keys.map((k) => and(eq(loginFailuresTable.scope, k.scope), eq(loginFailuresTable.key, k.key)))));
      return new Map(rows.map((row) => [`${row.scope}:${row.key}`, { failures: row.failures, windowStartedAt: row.windowStartedAt }]));
    },

    /**
     * One failure more, atomically (mirrors `afterFailure`): a window that has ended restarts at 1.
     * The database clock decides, so replicas with skewed clocks still agree.
     */
    async recordFailure({ scope, key, windowSec }: ThrottleKey): Promise<void> {
      const expired = sql`${loginFailuresTable.windowStartedAt} <= now() - make_interval(secs => ${windowSec})`;
      await db
        .insert(loginFailuresTable)
        .values({ scope, key, failures: 1, windowStartedAt: sql`now()` })
        .onConflictDoUpdate({
          target: [loginFailuresTable.scope, loginFailuresTable.key],
          set: {
            failures: sql`case when ${expired} then 1 else ${loginFailuresTable.failures} + 1 end`,
            windowStartedAt: sql`case when ${expired} then now() else ${loginFailuresTable.windowStartedAt} end`,
          },
        });
    },

    async reset(scope: ThrottleScope, keys: string[]): Promise<void> {
      if (keys.length === 0) return;
      await db.delete(loginFailuresTable).where(and(eq(loginFailuresTable.scope, scope), inArray(loginFailuresTable.key, keys)));
    },

    /** Drops counters whose window started more than `seconds` ago (the retention worker); returns how many. */
    pruneOlderThan(seconds: number): Promise<number> {
      return deleteInBatches(db, loginFailuresTable, lt(loginFailuresTable.windowStartedAt, sql`now() - make_interval(secs => ${seconds})`));
    },
  };
}
