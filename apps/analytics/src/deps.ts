import type { ServiceContext, ServiceDeps } from '@platform/service-kit';
import { defaultIngest, type AnalyticsConfig } from './config.js';
import { eventsQueries } from './data/events-queries.js';
import { metricsQueries } from './data/metrics-queries.js';
import type * as schema from './data/schema.js';
import { createRebuilder, type RebuildHooks } from './workers/rebuilder.js';

/** What analytics builds once for its routes, use cases and workers (besides the service context). */
export function analyticsDeps(config: AnalyticsConfig, rebuildHooks?: RebuildHooks) {
  return (ctx: ServiceContext<typeof schema>) => ({
    /** Metric sums and series over the live tables (named apart from `metrics`, the service's Prometheus registry). */
    figures: metricsQueries(ctx.sql),
    /** The stored event log. */
    events: eventsQueries(ctx.db),
    /** The rebuild worker: routes start a run and read its status; the service stops it at shutdown. */
    rebuilder: createRebuilder({
      // Holds a session advisory lock for the whole rebuild: never through a transaction pooler.
      sql: ctx.sessionSql,
      nats: ctx.nats,
      namespace: config.eventNamespace || undefined,
      logger: ctx.logger,
      batchSize: (config.ingest ?? defaultIngest).batchSize,
      hooks: rebuildHooks,
    }),
  });
}

/** The one `deps` of the analytics service: the service context plus `analyticsDeps`. */
export type AnalyticsDeps = ServiceDeps<typeof schema, ReturnType<ReturnType<typeof analyticsDeps>>>;
