import { analyticsConsumers } from '@platform/contracts';
import { createBatchConsumer, type BatchConsumer } from '@platform/messaging';
import { defaultIngest, type AnalyticsConfig } from '../config.js';
import { storeLiveEvents } from '../data/event-store.js';
import type { AnalyticsDeps } from '../deps.js';
import { analyticsStreams, decodeMessage } from '../domain/decode-event.js';
import { analyticsMetrics } from '../metrics.js';

/**
 * One durable batch consumer per producing stream, each storing every event into the live tables
 * (createService's consumers slot starts them after the relay and stops them after the workers).
 * While the analytics database is down, events wait instead of spending attempts.
 */
export function createStoreEventsConsumers(
  deps: Pick<AnalyticsDeps, 'sql' | 'nats' | 'logger' | 'availability'> & Partial<Pick<AnalyticsDeps, 'metrics'>> & { config: AnalyticsConfig },
): BatchConsumer[] {
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
      availability: availability.postgres,
      metrics,
      decode: (msg) => decodeMessage(msg, stream),
      store: async (batch) => {
        await storeLiveEvents(sql, stream, batch);
        counters?.ingested(stream, batch.length);
      },
    }),
  );
}
