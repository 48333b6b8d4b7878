import { notFound } from '@platform/http-kit';
import type { AccountView } from '../data/account-repository.js';
import type { BillingDeps } from '../deps.js';
import type { Caller } from '../domain/access.js';

/** The caller's account; 404 when they have not opened one. */
export async function getOwnAccount({ accountByUserId }: Pick<BillingDeps, 'accountByUserId'>, caller: Caller): Promise<AccountView> {
  const account = await accountByUserId(caller.sub);
  if (!account) throw notFound('No billing account yet');
  return account;
}
