import { refuseStaleTokens } from '@platform/http-kit';
import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor } from '@platform/service-kit';
import type { BillingConfig } from './config.js';
import { prepareKnownUser } from './data/billing-user-repository.js';
import * as schema from './data/schema.js';
import { projectUsers } from './events/project-users.js';
import { billingMetrics } from './metrics.js';
import { accountRoutes } from './routes/account-routes.js';
import { invoiceRoutes } from './routes/invoice-routes.js';
import { paymentRoutes } from './routes/payment-routes.js';
import { billingRetention } from './workers/retention.js';

export interface BuildBillingOptions {
  logger?: Logger;
}

/** The billing service as a Fastify app; `main.ts` serves it, tests inject into it. */
export async function buildApp(config: BillingConfig, options: BuildBillingOptions = {}) {
  const { app } = await createService({
    config,
    logger: options.logger,
    schema,
    migrationsFolder: migrationsFolderFor(import.meta.url),
    openapi: { title: 'Billing service', version: '1.0.0', description: 'Billing accounts, invoices and payments.' },
    consumers: () => [projectUsers()],
    workers: (ctx) => [billingRetention(ctx, config)],
    // Tokens of a user billing knows to be deactivated, or whose role changed since the token was
    // issued, are refused (401) as soon as the event is projected.
    isRevoked: (ctx) => refuseStaleTokens(prepareKnownUser(ctx.db)),
    routes: (http, ctx) => {
      billingMetrics(http, ctx.metrics);
      accountRoutes(http, ctx.db);
      invoiceRoutes(http, ctx.db);
      paymentRoutes(http, ctx.db);
    },
  });
  return app;
}
