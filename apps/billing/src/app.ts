import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor, staleTokenCheck } from '@platform/service-kit';
import type { BillingConfig } from './config.js';
import * as schema from './data/schema.js';
import { billingDeps, tokenState } from './deps.js';
import { projectUsers } from './events/project-users.js';
import { billingMetrics } from './metrics.js';
import { billingRoutes } from './routes/index.js';
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
    // Tokens of a user billing knows to be deactivated, or whose role changed since the token was
    // issued, are refused (401) as soon as the event is projected. The role counts only once an
    // event set it (`profile_at`): a row opened from a token carries that token's role, which proves nothing.
    isRevoked: staleTokenCheck(tokenState),
    deps: billingDeps,
    consumers: () => [projectUsers],
    workers: (deps) => [billingRetention(deps, config)],
    routes: [(http, deps) => billingMetrics(http, deps.metrics), ...billingRoutes],
  });
  return app;
}
