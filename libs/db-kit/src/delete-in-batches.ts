import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './types.js';

/**
 * Deletes the rows of `table` matching `where`, `batchSize` at a time, each batch its own short
 * statement (row locks and WAL stay small even for a large backlog); returns how many went.
 * For retention jobs: the oldest rows sit first in the heap, so each batch finds them quickly.
 */
export async function deleteInBatches(db: DbOrTx, table: PgTable, where: SQL | undefined, batchSize = 5_000): Promise<number> {
  // `and()` of nothing is undefined: never read that as "delete everything".
  if (!where) throw new Error('deleteInBatches needs a condition');
  let total = 0;
  for (;;) {
    const result = await db.execute(
      sql`delete from ${table} where ctid = any(array(select ctid from ${table} where ${where} limit ${batchSize}))`,
    );
    const deleted = (result as unknown as { count: number }).count;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
