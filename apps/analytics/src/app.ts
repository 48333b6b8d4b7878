import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor } from '@platform/service-kit';
import type { AnalyticsConfig } from './config.js';
import * as schema from './data/schema.js';

export interface BuildAnalyticsOptions {
  logger?: Logger;
}

/** The analytics service as a Fastify app; `main.ts` serves it, tests inject into it. */
export async function buildApp(config: AnalyticsConfig, options: BuildAnalyticsOptions = {}) {
  const { app } = await createService({
    config,
    logger: options.logger,
    schema,
    migrationsFolder: migrationsFolderFor(import.meta.url),
    openapi: { title: 'Analytics service', version: '1.0.0', description: 'The event log and the metrics derived from it (admin only).' },
  });
  return app;
}
