import { refuseStaleTokens } from '@platform/http-kit';
import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor, retentionWorker } from '@platform/service-kit';
import { defaultIngest, type AnalyticsConfig } from './config.js';
import { eventsQueries } from './data/events-queries.js';
import { metricsQueries } from './data/metrics-queries.js';
import * as schema from './data/schema.js';
import { prepareKnownUser } from './data/user-states.js';
import { createStoreEventsConsumers } from './events/store-events.js';
import { createRebuilder, type RebuildHooks } from './rebuild/rebuilder.js';
import { registerEventsRoutes } from './routes/events-routes.js';
import { registerRebuildRoutes } from './routes/rebuild-routes.js';
import { registerSummaryRoutes } from './routes/summary-routes.js';
import { registerTimeseriesRoutes } from './routes/timeseries-routes.js';

export interface BuildAnalyticsOptions {
  logger?: Logger;
  /** Tests only: pause points inside a rebuild. */
  rebuildHooks?: RebuildHooks;
}

/** The analytics service as a Fastify app; `main.ts` serves it, tests inject into it. */
export async function buildApp(config: AnalyticsConfig, options: BuildAnalyticsOptions = {}) {
  const { app } = await createService({
    config,
    logger: options.logger,
    schema,
    migrationsFolder: migrationsFolderFor(import.meta.url),
    openapi: { title: 'Analytics service', version: '1.0.0', description: 'The event log and the metrics derived from it (admin only).' },
    // A deactivated or demoted admin's token is refused here too, once the users event is stored (docs/contract.md §3).
    isRevoked: (ctx) => refuseStaleTokens(prepareKnownUser(ctx.db)),
    // The event log itself is kept (rebuilds replay the streams); only outbox and inbox rows expire.
    workers: (ctx) => [retentionWorker(ctx)],
    routes: async (app, ctx) => {
      const { sql, db, nats, logger } = ctx;
      const rebuilder = createRebuilder({
        // Holds a session advisory lock for the whole rebuild: never through a transaction pooler.
        sql: ctx.sessionSql,
        nats,
        namespace: config.eventNamespace || undefined,
        logger,
        batchSize: (config.ingest ?? defaultIngest).batchSize,
        hooks: options.rebuildHooks,
      });
      const deps = { metrics: metricsQueries(sql), events: eventsQueries(db), rebuilder };
      registerSummaryRoutes(app, deps);
      registerTimeseriesRoutes(app, deps);
      registerEventsRoutes(app, deps);
      registerRebuildRoutes(app, deps);

      // Batch consumers (not createService's per-message ones): stopped in preClose, i.e. before
      // createService's onClose drains NATS and closes the pool they use.
      const consumers = createStoreEventsConsumers({ config, sql, nats, logger, availability: ctx.availability.postgres, metrics: ctx.metrics });
      app.addHook('preClose', async () => {
        await rebuilder.stop();
        for (const consumer of consumers) await consumer.stop();
      });
      for (const consumer of consumers) await consumer.start();
    },
  });
  return app;
}
