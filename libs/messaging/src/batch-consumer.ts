import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { StreamDefinition, StreamKey } from '@platform/contracts';
import type { Logger } from '@platform/logging';
import type { Metrics } from '@platform/metrics';
import type { DependencyMonitor } from '@platform/resilience';
import { consumeLoop } from './consume-loop.js';
import { durableConsumer } from './durable-consumer.js';
import { consumerMetrics, type ConsumerMetrics } from './metrics.js';
import { retryPolicy, type RetryPolicy } from './retry-policy.js';
import { resolveStream } from './streams.js';
import { batchSpans } from './tracing.js';
import { workThrough } from './work-through.js';

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface BatchConsumerOptions<T> {
  /** Durable name shared by every replica. */
  name: string;
  /** Every subject of the stream is consumed (its first subject pattern). */
  stream: StreamKey | StreamDefinition;
  js: JetStreamClient;
  jsm: JetStreamManager;
  logger: Logger;
  namespace?: string;
  /** Messages per transaction. */
  batchSize: number;
  /** Deliveries before a message whose store keeps failing is dead-lettered. */
  maxAttempts: number;
  /** Redelivery delay after the n-th failure (last value repeats). */
  backoffMs?: readonly number[];
  /** Time the server waits for an ack before redelivering. */
  ackWaitMs?: number;
  /** Validates one message; a failure is dead-lettered at once (retrying cannot fix it). */
  decode(msg: JsMsg): Decoded<T>;
  /** Stores the decoded messages of a batch, in stream order, in ONE transaction; throws to retry. */
  store(values: T[]): Promise<void>;
  /** The store's database: while it is unreachable, batches wait instead of spending attempts. */
  availability: DependencyMonitor;
  /** The service's registry: the same consumer series as `createConsumer` (duration: one batch store). */
  metrics?: Metrics;
}

export interface BatchConsumer {
  start(): Promise<void>;
  /** Stops pulling, finishes the batch in flight; queued messages go back to the server. */
  stop(): Promise<void>;
}

/**
 * A durable pull consumer that takes whatever has arrived (up to `batchSize`) while the previous
 * batch was being stored, stores it in one transaction and acks it: one commit per batch instead
 * of one per message (`createConsumer` does inbox + handler per message). Idempotence is the
 * store's job (e.g. unique event ids), so there is no inbox here. A failing batch is retried
 * message by message so one poison message cannot block the rest.
 */
export function createBatchConsumer<T>(options: BatchConsumerOptions<T>): BatchConsumer {
  const { name, js, jsm, namespace, batchSize, maxAttempts } = options;
  const logger = options.logger.child({ consumer: name });
  const stream = resolveStream(options.stream, namespace);
  const counters = consumerMetrics(options.metrics, { jsm, stream: stream.name, name, namespace });
  const retry = retryPolicy({ js, consumer: name, namespace, maxAttempts, backoffMs: options.backoffMs, metrics: counters });
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const durable = durableConsumer(
    jsm,
    stream,
    name,
    { filterSubjects: stream.subjects.slice(0, 1), ackWaitMs, maxAckPending: batchSize * 4 },
    logger,
  );

  return consumeLoop({
    js,
    stream: stream.name,
    name,
    logger,
    maxMessages: batchSize,
    ensure: () => durable.ensure(),
    // A batch is whatever arrived while the previous one was stored (up to batchSize); the reader
    // never runs more than two batches ahead.
    process: (messages, session) =>
      workThrough(messages, session, {
        take: batchSize,
        readAhead: batchSize * 2,
        work: (batch) => processBatch(batch, options, retry, logger, counters),
        availability: options.availability,
        heartbeatMs: Math.max(100, Math.floor(ackWaitMs / 3)),
        logger,
      }),
    label: 'batch consumer',
  });
}

/**
 * Stores one batch and acks it; invalid messages are dead-lettered, failures retried with backoff.
 * Returns what is left unsettled because the database is unreachable (nothing otherwise).
 */
async function processBatch<T>(
  batch: JsMsg[],
  options: BatchConsumerOptions<T>,
  retry: RetryPolicy,
  logger: Logger,
  counters: ConsumerMetrics,
): Promise<JsMsg[]> {
  const { availability } = options;
  const valid: Array<{ msg: JsMsg; value: T }> = [];
  for (const msg of batch) {
    const decoded = options.decode(msg);
    if (decoded.ok) valid.push({ msg, value: decoded.value });
    else await retry.deadLetter(msg, decoded.reason, logger);
  }
  if (valid.length === 0) return [];
  if (availability.isDown()) return valid.map((v) => v.msg);
  const timed = counters.time();
  const spans = batchSpans(valid.map((v) => v.msg), options.name, options.namespace);
  try {
    await options.store(valid.map((v) => v.value));
    timed();
    for (const { msg } of valid) msg.ack();
    counters.count('handled', valid.length);
    spans.end();
    return [];
  } catch (err) {
    spans.end(err);
    if (availability.report(err)) return valid.map((v) => v.msg);
    const [only] = valid;
    if (valid.length === 1 && only) {
      await retry.failed(only.msg, err, 'store', logger);
      return [];
    }
    logger.warn({ err, size: valid.length }, 'batch store failed, retrying message by message');
  }
  for (const [i, { msg, value }] of valid.entries()) {
    try {
      await options.store([value]);
      msg.ack();
      counters.count('handled');
    } catch (err) {
      if (availability.report(err)) return valid.slice(i).map((v) => v.msg);
      await retry.failed(msg, err, 'store', logger);
    }
  }
  return [];
}
