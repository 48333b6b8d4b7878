import type { DbOrTx } from '@platform/db-kit';

/** What billing's routes and use cases are given, built once in `app.ts`. */
export interface BillingDeps {
  db: DbOrTx;
}
