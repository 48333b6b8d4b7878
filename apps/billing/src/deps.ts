import { staleTokenCheckAlong, type ServiceContext, type ServiceDeps, type UserStateSource } from '@platform/service-kit';
import { ACCOUNT_OF_USER, prepareAccountByUserId, type AccountView } from './data/account-repository.js';
import { invoiceReads } from './data/invoice-reads.js';
import * as schema from './data/schema.js';

const users = schema.billingUsers;

/**
 * Where billing judges tokens (app.ts `isRevoked`): its projection of users. The role counts only
 * once an event set it (`profile_at`): a row opened from a token carries that token's role, which proves nothing.
 */
export const tokenState: UserStateSource = { table: users, userId: users.userId, isActive: users.isActive, role: users.role, roleSince: users.profileAt };

/** What billing builds once for its routes and use cases (besides the service context): the prepared hot reads. */
export function billingDeps(ctx: ServiceContext<typeof schema>) {
  return {
    /** Invoice and page reads, one prepared round trip each. */
    invoiceReads: invoiceReads(ctx.db),
    /** The caller's account by user id, prepared (`GET /accounts/me` when `ownAccount` did not read it). */
    accountByUserId: prepareAccountByUserId(ctx.db),
    /**
     * `GET /accounts/me`'s token check: the same judgement as app.ts's, and the caller's account
     * read in the same statement (one round trip a request instead of two).
     */
    ownAccount: staleTokenCheckAlong<AccountView>(tokenState, ACCOUNT_OF_USER)(ctx),
  };
}

/**
 * The one `deps` of the billing service: the service context (db, logger, config...) plus
 * `billingDeps`; use cases take the part they need (`Pick<BillingDeps, 'db'>`).
 */
export type BillingDeps = ServiceDeps<typeof schema, ReturnType<typeof billingDeps>>;
