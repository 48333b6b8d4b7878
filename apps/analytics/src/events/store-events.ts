import { analyticsConsumers, type StreamKey } from '@platform/contracts';
import type { Logger } from '@platform/logging';
import { createBatchConsumer, type BatchConsumer, type NatsHandle } from '@platform/messaging';
import type { Metrics } from '@platform/metrics';
import type { DependencyMonitor } from '@platform/resilience';
import type { Sql } from 'postgres';
import { defaultIngest, type AnalyticsConfig } from '../config.js';
import { storeLiveEvents } from '../data/event-store.js';
import { analyticsMetrics } from '../metrics.js';
import { decodeMessage } from './decode-event.js';

/** Every producing stream analytics keeps a log of: one declared consumer each (@platform/contracts). */
export const analyticsStreams = Object.keys(analyticsConsumers) as StreamKey[];

/** One durable batch consumer per producing stream, each storing every event into the live tables. */
export function createStoreEventsConsumers(deps: {
  config: AnalyticsConfig;
  sql: Sql;
  nats: NatsHandle;
  logger: Logger;
  /** The analytics database's monitor: while it is down, events wait instead of spending attempts. */
  availability: DependencyMonitor;
  /** The service's registry: consumer series plus the ingest rate and lag (see metrics.ts). */
  metrics?: Metrics;
}): BatchConsumer[] {
  const { config, sql, nats, logger, availability, metrics } = deps;
  const ingest = config.ingest ?? defaultIngest;
  const counters = metrics ? analyticsMetrics(metrics, nats, analyticsStreams, config.eventNamespace || undefined) : undefined;
  return analyticsStreams.map((stream) =>
    createBatchConsumer({
      name: analyticsConsumers[stream].name,
      stream,
      js: nats.js,
      jsm: nats.jsm,
      logger,
      namespace: config.eventNamespace || undefined,
      batchSize: ingest.batchSize,
      maxAttempts: ingest.maxAttempts,
      availability,
      metrics,
      decode: (msg) => decodeMessage(msg, stream),
      store: async (batch) => {
        await storeLiveEvents(sql, stream, batch);
        counters?.ingested(stream, batch.length);
      },
    }),
  );
}
