import type { PageQuery } from '@platform/db-kit';
import { accountRepository } from '../data/account-repository.js';
import type { BillingDeps } from '../deps.js';

/** Every account, newest first (the route lets admins only). */
export function listAccounts({ db }: Pick<BillingDeps, 'db'>, query: PageQuery) {
  return accountRepository(db).page(query);
}
