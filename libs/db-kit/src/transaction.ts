import type { DbOrTx, Tx } from './types.js';

/**
 * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws.
 * Given a transaction already, nests a savepoint so callers compose without caring.
 */
export function withTransaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(fn);
}
