import type { JetStreamManager } from '@nats-io/jetstream';
import { deadLetterStream } from '@platform/contracts';
import { childCache, type Metrics } from '@platform/metrics';
import type { Sql } from 'postgres';
import { namespacedSubject } from './namespace.js';
import type { BatchResult } from './outbox-relay.js';
import { resolveStream } from './streams.js';

/** What happened to a message: the `outcome` label of `consumer_messages_total`. */
export type ConsumerOutcome = 'handled' | 'duplicate' | 'redelivered' | 'dead_lettered';

export interface ConsumerMetrics {
  count(outcome: ConsumerOutcome, messages?: number): void;
  /** Starts timing a handler (or a batch store); call the result when it is done. */
  time(): () => void;
}

interface WatchedConsumer {
  jsm: JetStreamManager;
  stream: string;
  name: string;
  namespace?: string;
}

/** The consumers of each registry (one per app), read by the pending and dead-letter gauges. */
const watched = new WeakMap<Metrics, Map<string, WatchedConsumer>>();

const noop: ConsumerMetrics = { count: () => undefined, time: () => () => undefined };

/**
 * A consumer's counters and handler histogram, and its place in the `consumer_pending` and
 * `dead_letter_messages` gauges (read from JetStream at scrape time, cached, bounded).
 */
export function consumerMetrics(metrics: Metrics | undefined, consumer: WatchedConsumer): ConsumerMetrics {
  if (!metrics) return noop;
  const messages = metrics.counter({
    name: 'consumer_messages_total',
    help: 'Messages a consumer settled, by outcome (redelivered: failed, will be delivered again).',
    labelNames: ['consumer', 'outcome'],
  });
  const duration = metrics.histogram({
    name: 'consumer_handler_duration_seconds',
    help: 'Time a consumer took to apply a message (a batch consumer: one batch store).',
    labelNames: ['consumer'],
  });
  watchConsumer(metrics, consumer);
  const byOutcome = childCache((outcome) => messages.labels(consumer.name, outcome));
  const timer = duration.labels(consumer.name);
  return {
    count: (outcome, n = 1) => byOutcome(outcome).inc(n),
    time: () => timer.startTimer(),
  };
}

function watchConsumer(metrics: Metrics, consumer: WatchedConsumer): void {
  let consumers = watched.get(metrics);
  if (!consumers) {
    const all = new Map<string, WatchedConsumer>();
    consumers = all;
    watched.set(metrics, all);
    metrics.polledGauge({
      name: 'consumer_pending',
      help: 'Messages of the stream not yet delivered to the durable consumer (JetStream num_pending).',
      labelNames: ['consumer'],
      read: async () =>
        Promise.all(
          [...all.values()].map(async (c) => ({ labels: { consumer: c.name }, value: (await c.jsm.consumers.info(c.stream, c.name)).num_pending })),
        ),
    });
    metrics.polledGauge({
      name: 'dead_letter_messages',
      help: 'Messages in the dead-letter stream whose origin is one of this service\'s consumers.',
      read: () => deadLetterDepth([...all.values()]),
    });
  }
  consumers.set(consumer.name, consumer);
}

/** One stream-info call per namespace, with per-subject counts of `dlq.>`, summed over our consumers. */
async function deadLetterDepth(consumers: WatchedConsumer[]): Promise<number> {
  const first = consumers[0];
  if (!first) return 0;
  const ours = new Set(consumers.map((c) => c.name));
  const prefix = namespacedSubject('dlq.', first.namespace);
  const info = await first.jsm.streams.info(resolveStream(deadLetterStream, first.namespace).name, { subjects_filter: `${prefix}>` });
  let depth = 0;
  for (const [subject, count] of Object.entries(info.state.subjects ?? {})) {
    // dlq.<consumer>.<original subject>; consumer names carry no dots.
    const consumer = subject.slice(prefix.length).split('.', 1)[0] ?? '';
    if (ours.has(consumer)) depth += count;
  }
  return depth;
}

/** The relay's counters: rows published and publish attempts that failed. */
export function relayMetrics(metrics: Metrics | undefined): (result: BatchResult) => BatchResult {
  if (!metrics) return (result) => result;
  const published = metrics.counter({ name: 'outbox_published_total', help: 'Outbox rows the relay published (acked by JetStream).' });
  const failures = metrics.counter({ name: 'outbox_publish_failures_total', help: 'Outbox publish attempts that failed (retried later).' });
  return (result) => {
    if (result.published > 0) published.inc(result.published);
    if (result.failed > 0) failures.inc(result.failed);
    return result;
  };
}

/**
 * `outbox_backlog` and `outbox_oldest_age_seconds` of one service's outbox, both from a single
 * query on the partial index of unpublished rows, run once per scrape at most (and once per cache period).
 */
export function watchOutbox(metrics: Metrics, sql: Sql): void {
  let reading: Promise<{ backlog: number; oldest: number }> | undefined;
  // Both gauges are collected at once during a scrape: they share the query in flight.
  const read = () =>
    (reading ??= sql<Array<{ backlog: number; oldest: number }>>`
      select count(*)::int as backlog, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest
      from outbox where published_at is null`
      .then(([row]) => row ?? { backlog: 0, oldest: 0 })
      .finally(() => {
        reading = undefined;
      }));
  metrics.polledGauge({ name: 'outbox_backlog', help: 'Outbox rows not yet published.', read: async () => (await read()).backlog });
  metrics.polledGauge({ name: 'outbox_oldest_age_seconds', help: 'Age of the oldest unpublished outbox row (0 when none).', read: async () => (await read()).oldest });
}
