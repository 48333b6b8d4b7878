import { analyticsConsumers, type StreamKey } from '@platform/contracts';
import { resolveStream, type NatsHandle } from '@platform/messaging';
import type { Metrics } from '@platform/metrics';

export interface AnalyticsMetrics {
  /** Events of a stream stored in the log (one batch at a time). */
  ingested(stream: StreamKey, events: number): void;
}

/**
 * `analytics_events_ingested_total{stream}` (its rate is the ingest rate) and
 * `analytics_ingest_lag_seconds{stream}`: how old the oldest event of the stream is that the log
 * does not have yet (0 when caught up), read from JetStream at scrape time.
 */
export function analyticsMetrics(metrics: Metrics, nats: Pick<NatsHandle, 'jsm'>, streams: readonly StreamKey[], namespace?: string): AnalyticsMetrics {
  const ingested = metrics.counter({ name: 'analytics_events_ingested_total', help: 'Events stored in the analytics log, by stream.', labelNames: ['stream'] });
  const children = new Map(streams.map((stream) => [stream, ingested.labels(stream)]));
  metrics.polledGauge({
    name: 'analytics_ingest_lag_seconds',
    help: 'Age of the oldest event of the stream not yet in the analytics log (0 when caught up).',
    labelNames: ['stream'],
    read: () => Promise.all(streams.map(async (stream) => ({ labels: { stream }, value: await lagOf(nats, stream, namespace) }))),
  });
  return { ingested: (stream, events) => children.get(stream)?.inc(events) };
}

async function lagOf(nats: Pick<NatsHandle, 'jsm'>, stream: StreamKey, namespace?: string): Promise<number> {
  const name = resolveStream(stream, namespace).name;
  const info = await nats.jsm.consumers.info(name, analyticsConsumers[stream].name);
  if (info.num_pending + info.num_ack_pending === 0) return 0;
  // Everything up to the ack floor is stored; the next message is the oldest one still waiting.
  const next = await nats.jsm.streams.getMessage(name, { seq: info.ack_floor.stream_seq + 1 });
  return next ? Math.max(0, (Date.now() - next.time.getTime()) / 1000) : 0;
}
