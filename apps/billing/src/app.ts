import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor } from '@platform/service-kit';
import type { BillingConfig } from './config.js';
import * as schema from './data/schema.js';

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
  });
  return app;
}
