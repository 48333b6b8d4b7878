import { notFound, type AccessClaims } from '@platform/http-kit';
import type { AccountView } from '../data/account-repository.js';
import type { BillingDeps } from '../deps.js';

/**
 * The caller's account; 404 when they have not opened one. `caller` is the request's claims: the
 * route's token check (deps `ownAccount`) has read the account along with them; without that
 * read (another guard ran first), it is read here.
 */
export async function getOwnAccount({ accountByUserId, ownAccount }: Pick<BillingDeps, 'accountByUserId' | 'ownAccount'>, caller: AccessClaims): Promise<AccountView> {
  const known = ownAccount.readFor(caller);
  const account = known === undefined ? await accountByUserId(caller.sub) : known;
  if (!account) throw notFound('No billing account yet');
  return account;
}
