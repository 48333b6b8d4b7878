import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { StreamKey } from '@platform/contracts';
import type { Logger } from '@platform/logging';
import { publishDeadLetter, resolveStream } from '@platform/messaging';

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface BatchConsumerOptions<T> {
  /** Durable name shared by every replica. */
  name: string;
  stream: StreamKey;
  js: JetStreamClient;
  jsm: JetStreamManager;
  logger: Logger;
  namespace?: string;
  /** Messages per transaction. */
  batchSize: number;
  /** Deliveries before a message whose store keeps failing is dead-lettered. */
  maxAttempts: number;
  backoffMs?: readonly number[];
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
 * of one per message (the generic consumer of @platform/messaging does inbox + handler per
 * message). Idempotence is the store's job (unique event ids), so there is no inbox here.
 * A failing batch is retried message by message so one poison message cannot block the rest.
 */
export function createBatchConsumer<T>(options: BatchConsumerOptions<T>): BatchConsumer {
  const { name, js, jsm, namespace, batchSize, maxAttempts } = options;
  const logger = options.logger.child({ consumer: name });
  const stream = resolveStream(options.stream, namespace);
  const backoffMs = options.backoffMs?.length ? options.backoffMs : [1_000, 5_000, 15_000, 30_000];
  const backoffFor = (n: number) => backoffMs[Math.min(n - 1, backoffMs.length - 1)] ?? 1_000;

  let stopping = false;
  let loop: Promise<void> | undefined;
  let messages: ConsumerMessages | undefined;

  async function ensureConsumer(): Promise<void> {
    const config = {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
      max_deliver: -1, // attempts are bounded here, so the last one can be dead-lettered
      max_ack_pending: batchSize * 4,
      filter_subject: stream.subjects[0],
    };
    const existing = await jsm.consumers.info(stream.name, name).catch(() => null);
    if (!existing) {
      try {
        await jsm.consumers.add(stream.name, config);
        return;
      } catch (err) {
        if (!(await jsm.consumers.info(stream.name, name).catch(() => null))) throw err;
      }
    }
    const { durable_name: _d, deliver_policy: _p, ...updatable } = config;
    await jsm.consumers.update(stream.name, name, updatable).catch((err: unknown) => logger.warn({ err }, 'could not update consumer config'));
  }

  async function deadLetter(msg: JsMsg, reason: string): Promise<void> {
    try {
      const subject = await publishDeadLetter({ js, consumer: name, msg, reason, namespace });
      msg.ack();
      logger.warn({ reason, deadLetterSubject: subject, streamSequence: msg.seq }, 'message dead-lettered');
    } catch (err) {
      logger.error({ err, reason }, 'dead-letter publish failed, message will be redelivered');
      msg.nak(backoffFor(msg.info.deliveryCount));
    }
  }

  async function failed(msg: JsMsg, err: unknown): Promise<void> {
    const reason = err instanceof Error ? err.message : String(err);
    const count = msg.info.deliveryCount;
    if (count >= maxAttempts) return deadLetter(msg, `store failed after ${count} attempts: ${reason}`);
    logger.warn({ err, deliveryCount: count, streamSequence: msg.seq }, 'store failed, will retry');
    msg.nak(backoffFor(count));
  }

  async function processBatch(batch: JsMsg[]): Promise<void> {
    const valid: Array<{ msg: JsMsg; value: T }> = [];
    for (const msg of batch) {
      const decoded = options.decode(msg);
      if (decoded.ok) valid.push({ msg, value: decoded.value });
      else await deadLetter(msg, decoded.reason);
    }
    if (valid.length === 0) return;
    try {
      await options.store(valid.map((v) => v.value));
      for (const { msg } of valid) msg.ack();
      return;
    } catch (err) {
      const [only] = valid;
      if (valid.length === 1 && only) return failed(only.msg, err);
      logger.warn({ err, size: valid.length }, 'batch store failed, retrying message by message');
    }
    for (const { msg, value } of valid) {
      try {
        await options.store([value]);
        msg.ack();
      } catch (err) {
        await failed(msg, err);
      }
    }
  }

  async function consumeOnce(): Promise<void> {
    const consumer = await js.consumers.get(stream.name, name);
    const current = await consumer.consume({ max_messages: batchSize });
    messages = current;
    const queue: JsMsg[] = [];
    let wakeProcessor: (() => void) | undefined;
    let wakeReader: (() => void) | undefined;
    let readerDone = false;
    const reader = (async () => {
      try {
        for await (const msg of current) {
          queue.push(msg);
          wakeProcessor?.();
          // Back-pressure: never hold more than two batches in memory.
          while (queue.length >= batchSize * 2 && !stopping) await new Promise<void>((r) => (wakeReader = r));
        }
      } finally {
        readerDone = true;
        wakeProcessor?.();
      }
    })();
    while (!stopping) {
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

  async function run(): Promise<void> {
    while (!stopping) {
      try {
        await consumeOnce();
      } catch (err) {
        if (stopping) break;
        logger.error({ err }, 'batch consumer failed, restarting');
      }
      if (!stopping) {
        await new Promise((r) => setTimeout(r, 1_000));
        await ensureConsumer().catch((err: unknown) => logger.error({ err }, 'could not re-create consumer'));
      }
    }
  }

  return {
    async start() {
      if (loop) return;
      stopping = false;
      await ensureConsumer();
      loop = run();
      logger.info({ stream: stream.name }, 'batch consumer started');
    },
    async stop() {
      if (!loop) return;
      stopping = true;
      const closing = messages?.close();
      await loop;
      await closing;
      loop = undefined;
      messages = undefined;
      logger.info('batch consumer stopped');
    },
  };
}
