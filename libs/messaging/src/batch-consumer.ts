import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { StreamDefinition, StreamKey } from '@platform/contracts';
import type { Logger } from '@platform/logging';
import { consumeLoop } from './consume-loop.js';
import { durableConsumer } from './durable-consumer.js';
import { retryPolicy, type RetryPolicy } from './retry-policy.js';
import { resolveStream } from './streams.js';

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
  const retry = retryPolicy({ js, consumer: name, namespace, maxAttempts, backoffMs: options.backoffMs });
  const durable = durableConsumer(
    jsm,
    stream,
    name,
    { filterSubjects: stream.subjects.slice(0, 1), ackWaitMs: options.ackWaitMs ?? 30_000, maxAckPending: batchSize * 4 },
    logger,
  );

  return consumeLoop({
    js,
    stream: stream.name,
    name,
    logger,
    maxMessages: batchSize,
    ensure: () => durable.ensure(),
    process: (messages, stopping) => consumeInBatches(messages, stopping, batchSize, (batch) => processBatch(batch, options, retry, logger)),
    label: 'batch consumer',
  });
}

async function processBatch<T>(batch: JsMsg[], options: BatchConsumerOptions<T>, retry: RetryPolicy, logger: Logger): Promise<void> {
  const valid: Array<{ msg: JsMsg; value: T }> = [];
  for (const msg of batch) {
    const decoded = options.decode(msg);
    if (decoded.ok) valid.push({ msg, value: decoded.value });
    else await retry.deadLetter(msg, decoded.reason, logger);
  }
  if (valid.length === 0) return;
  try {
    await options.store(valid.map((v) => v.value));
    for (const { msg } of valid) msg.ack();
    return;
  } catch (err) {
    const [only] = valid;
    if (valid.length === 1 && only) {
      await retry.failed(only.msg, err, 'store', logger);
      return;
    }
    logger.warn({ err, size: valid.length }, 'batch store failed, retrying message by message');
  }
  for (const { msg, value } of valid) {
    try {
      await options.store([value]);
      msg.ack();
    } catch (err) {
      await retry.failed(msg, err, 'store', logger);
    }
  }
}

/**
 * Reads the pull session into a queue while the previous batch is being processed, so a batch is
 * whatever arrived meanwhile (up to `batchSize`); never holds more than two batches in memory.
 */
async function consumeInBatches(
  messages: ConsumerMessages,
  stopping: () => boolean,
  batchSize: number,
  processBatch: (batch: JsMsg[]) => Promise<void>,
): Promise<void> {
  const queue: JsMsg[] = [];
  let wakeProcessor: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  let readerDone = false;
  const reader = (async () => {
    try {
      for await (const msg of messages) {
        queue.push(msg);
        wakeProcessor?.();
        // Back-pressure: never hold more than two batches in memory.
        while (queue.length >= batchSize * 2 && !stopping()) await new Promise<void>((r) => (wakeReader = r));
      }
    } finally {
      readerDone = true;
      wakeProcessor?.();
    }
  })();
  while (!stopping()) {
    if (queue.length === 0) {
      if (readerDone) break;
      await new Promise<void>((r) => (wakeProcessor = r));
      wakeProcessor = undefined;
      continue;
    }
    const batch = queue.splice(0, batchSize);
    wakeReader?.();
    await processBatch(batch);
  }
  for (const msg of queue.splice(0)) msg.nak(); // queued but not started: another replica may take them now
  wakeReader?.();
  await reader;
}
