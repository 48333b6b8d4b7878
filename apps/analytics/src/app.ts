import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor, staleTokenCheck } from '@platform/service-kit';
import type { AnalyticsConfig } from './config.js';
import * as schema from './data/schema.js';
import { analyticsDeps } from './deps.js';
import { createStoreEventsConsumers } from './events/store-events.js';
import { analyticsRoutes } from './routes/index.js';
import type { RebuildHooks } from './workers/rebuilder.js';
import { analyticsRetention } from './workers/retention.js';

export interface BuildAnalyticsOptions {
  logger?: Logger;
  /** Tests only: pause points inside a rebuild. */
  rebuildHooks?: RebuildHooks;
}

const users = schema.userStates;

/** The analytics service as a Fastify app; `main.ts` serves it, tests inject into it. */
export async function buildApp(config: AnalyticsConfig, options: BuildAnalyticsOptions = {}) {
  const { app } = await createService({
    config,
    logger: options.logger,
    schema,
    migrationsFolder: migrationsFolderFor(import.meta.url),
    openapi: { title: 'Analytics service', version: '1.0.0', description: 'The event log and the metrics derived from it (admin only).' },
    // A deactivated or demoted admin's token is refused here too, once the users event is stored (docs/contract.md §3).
    isRevoked: staleTokenCheck({ table: users, userId: users.userId, isActive: users.isActive, role: users.role, roleSince: users.lastAt }),
    deps: analyticsDeps(config, options.rebuildHooks),
    // Batch consumers (one per producing stream), built here rather than by definition: no inbox, one transaction per batch.
    consumers: (deps) => createStoreEventsConsumers({ ...deps, config }),
    // The rebuild is a worker too: idle until a route starts a run, stopped (the run aborted) at shutdown.
    workers: (deps) => [analyticsRetention(deps), deps.rebuilder],
    routes: analyticsRoutes,
  });
  return app;
}
