import { withTransaction } from '@platform/db-kit';
import { conflict, unprocessable } from '@platform/http-kit';
import { accountRepository, type AccountRow } from '../data/account-repository.js';
import { billingUserRepository } from '../data/billing-user-repository.js';
import type { BillingDeps } from '../deps.js';
import type { Caller } from '../domain/access.js';
import { billingEvents } from '../publisher.js';

export interface OpenAccountInput {
  currency: string;
  billingEmail?: string;
  companyName?: string;
}

/**
 * Opens the caller's account. The users projection row is created from the token if billing has
 * not heard of the user yet (their registration event may still be on its way), then locked, so
 * a deactivation being projected at the same moment either lands first (→ 422) or waits for us.
 * billingEmail defaults to the e-mail billing knows; when it knows none, it stays null.
 */
export function openAccount({ db }: Pick<BillingDeps, 'db'>, caller: Caller, input: OpenAccountInput, correlationId: string): Promise<AccountRow> {
  return withTransaction(db, async (tx) => {
    const users = billingUserRepository(tx);
    await users.ensure(caller.sub, 'token', caller.role);
    const known = await users.lock(caller.sub, 'share');
    if (!known?.isActive) throw unprocessable('This user is deactivated and cannot open an account');
    const account = await accountRepository(tx).insert({
      userId: caller.sub,
      currency: input.currency,
      billingEmail: input.billingEmail ?? known.email,
      companyName: input.companyName ?? null,
    });
    if (!account) throw conflict('This user already has a billing account');
    await billingEvents.accountCreated(tx, account, correlationId);
    return account;
  });
}
