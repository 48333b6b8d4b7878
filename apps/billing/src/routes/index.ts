import { requireAuth, routeGroup, type RouteRegistrar } from '@platform/http-kit';
import type { BillingDeps } from '../deps.js';
import { accountRoutes, ownAccountRoutes } from './account-routes.js';
import { invoiceRoutes } from './invoice-routes.js';
import { paymentRoutes } from './payment-routes.js';

const group = { prefix: '/api/v1/billing', tags: ['billing'] };

/** Every route of the billing service: all under `/api/v1/billing`, all with a token (admin routes ask for the role themselves). */
export const billingRoutes: Array<RouteRegistrar<BillingDeps>> = [
  // GET /accounts/me: its token check reads the account in the same round trip (deps `ownAccount`).
  (app, deps) => routeGroup<BillingDeps>({ ...group, auth: requireAuth({ isRevoked: deps.ownAccount.isRevoked }) }, ownAccountRoutes)(app, deps),
  routeGroup<BillingDeps>({ ...group, auth: requireAuth() }, accountRoutes, invoiceRoutes, paymentRoutes),
];
