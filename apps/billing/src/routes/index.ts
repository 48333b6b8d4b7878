import { requireAuth, routeGroup } from '@platform/http-kit';
import type { BillingDeps } from '../deps.js';
import { accountRoutes } from './account-routes.js';
import { invoiceRoutes } from './invoice-routes.js';
import { paymentRoutes } from './payment-routes.js';

/** Every route of the billing service: all under `/api/v1/billing`, all with a token (admin routes ask for the role themselves). */
export const billingRoutes = [routeGroup<BillingDeps>({ prefix: '/api/v1/billing', tags: ['billing'], auth: requireAuth() }, accountRoutes, invoiceRoutes, paymentRoutes)];
