import type { DbOrTx } from '@platform/db-kit';

/** What the notifications routes and use cases are given, built once in `app.ts`. */
export interface NotificationsDeps {
  db: DbOrTx;
}
