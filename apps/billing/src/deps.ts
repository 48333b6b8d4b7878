import type { ServiceContext, ServiceDeps } from '@platform/service-kit';
import { prepareAccountByUserId } from './data/account-repository.js';
import { invoiceReads } from './data/invoice-reads.js';
import type * as schema from './data/schema.js';

/** What billing builds once for its routes and use cases (besides the service context): the prepared hot reads. */
export function billingDeps(ctx: ServiceContext<typeof schema>) {
  return {
    /** Invoice and page reads, one prepared round trip each. */
    invoiceReads: invoiceReads(ctx.db),
    /** The caller's account by user id, prepared (`GET /accounts/me`). */
    accountByUserId: prepareAccountByUserId(ctx.db),
  };
}

/**
 * The one `deps` of the billing service: the service context (db, logger, config...) plus
 * `billingDeps`; use cases take the part they need (`Pick<BillingDeps, 'db'>`).
 */
export type BillingDeps = ServiceDeps<typeof schema, ReturnType<typeof billingDeps>>;
