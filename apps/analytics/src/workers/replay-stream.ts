import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import type { StreamKey } from '@platform/contracts';
import { decodeMessage, type StoredEvent } from '../domain/decode-event.js';

export interface ReplayOptions {
  js: JetStreamClient;
  /** The stream's real (namespaced) name and its contract-level key (`users`). */
  streamName: string;
  stream: StreamKey;
  fromSeq: number;
  toSeq: number;
  batchSize: number;
  /** Stores one batch (in stream order); returns how many events were new. */
  store(batch: StoredEvent[]): Promise<number>;
  /** Checked between batches: a shutdown aborts the replay. */
  aborted(): boolean;
}

/**
 * Reads a stream from `fromSeq` through `toSeq` in order with an ephemeral ordered consumer
 * (nothing to ack, nothing left behind) and stores it batch by batch. Messages the live consumer
 * dead-lettered are invalid here too and are skipped the same way.
 */
export async function replayStream(options: ReplayOptions): Promise<number> {
  const { js, fromSeq, toSeq, batchSize } = options;
  if (toSeq < fromSeq) return 0;
  const consumer = await js.consumers.get(options.streamName, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: fromSeq,
  });
  const messages = await consumer.consume({ max_messages: batchSize });
  let stored = 0;
  let batch: StoredEvent[] = [];
  try {
    for await (const msg of messages) {
      if (options.aborted()) throw new Error('rebuild aborted: the service is shutting down');
      const decoded = decodeMessage(msg, options.stream);
      if (decoded.ok) batch.push(decoded.value);
      const done = msg.seq >= toSeq;
      if (batch.length >= batchSize || (done && batch.length > 0)) {
        stored += await options.store(batch);
        batch = [];
      }
      if (done) break;
    }
  } finally {
    await messages.close();
  }
  return stored;
}
