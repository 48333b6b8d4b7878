import type { ServiceDeps } from '@platform/service-kit';
import type * as schema from './data/schema.js';

/**
 * The one `deps` of the billing service: the service context (db, logger, config...). Billing
 * builds nothing more once; use cases take the part they need (`Pick<BillingDeps, 'db'>`).
 */
export type BillingDeps = ServiceDeps<typeof schema>;
