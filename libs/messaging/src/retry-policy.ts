import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '@platform/logging';
import { publishDeadLetter } from './dead-letter.js';
import type { ConsumerMetrics } from './metrics.js';

export const defaultMaxAttempts = 5;
export const defaultBackoffMs: readonly number[] = [1_000, 5_000, 15_000, 30_000];

export type FailureOutcome = 'dead-lettered' | 'retry';

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** Redelivery delay after the n-th failed delivery (the last value repeats). */
  backoffFor(deliveryCount: number): number;
  /** Copies the message to the dead-letter stream and acks it; if that publish fails, naks it with backoff. */
  deadLetter(msg: JsMsg, reason: string, log: Logger): Promise<FailureOutcome>;
  /**
   * A failed attempt (`what` = "handler", "store"...): dead-lettered once `maxAttempts` deliveries
   * failed, else nak'ed with backoff.
   */
  failed(msg: JsMsg, err: unknown, what: string, log: Logger): Promise<FailureOutcome>;
}

/** Bounded retries with backoff, then the dead-letter stream: what every consumer does with a failure. */
export function retryPolicy(options: {
  js: Pick<JetStreamClient, 'publish'>;
  consumer: string;
  namespace?: string;
  maxAttempts?: number;
  backoffMs?: readonly number[];
  /** Counts each failure's outcome (dead_lettered, or redelivered after the backoff). */
  metrics?: ConsumerMetrics;
}): RetryPolicy {
  const { js, consumer, namespace } = options;
  const maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
  const backoffMs = options.backoffMs?.length ? options.backoffMs : defaultBackoffMs;
  const backoffFor = (deliveryCount: number) => backoffMs[Math.min(deliveryCount - 1, backoffMs.length - 1)] ?? 1_000;

  async function deadLetter(msg: JsMsg, reason: string, log: Logger): Promise<FailureOutcome> {
    const outcome = await deadLetterOnce(msg, reason, log);
    options.metrics?.count(outcome === 'retry' ? 'redelivered' : 'dead_lettered');
    return outcome;
  }

  async function deadLetterOnce(msg: JsMsg, reason: string, log: Logger): Promise<FailureOutcome> {
    try {
      const subject = await publishDeadLetter({ js, consumer, msg, reason, namespace });
      msg.ack();
      log.warn(
        { reason, deadLetterSubject: subject, deliveryCount: msg.info.deliveryCount, streamSequence: msg.seq },
        'message dead-lettered',
      );
      return 'dead-lettered';
    } catch (err) {
      log.error({ err, reason }, 'dead-letter publish failed, message will be redelivered');
      msg.nak(backoffFor(msg.info.deliveryCount));
      return 'retry';
    }
  }

  return {
    maxAttempts,
    backoffFor,
    deadLetter,
    async failed(msg, err, what, log) {
      const reason = err instanceof Error ? err.message : String(err);
      const deliveryCount = msg.info.deliveryCount;
      if (deliveryCount >= maxAttempts) {
        return deadLetter(msg, `${what} failed after ${deliveryCount} attempts: ${reason}`, log);
      }
      const delay = backoffFor(deliveryCount);
      log.warn({ err, deliveryCount, streamSequence: msg.seq, retryInMs: delay }, `${what} failed, will retry`);
      msg.nak(delay);
      options.metrics?.count('redelivered');
      return 'retry';
    },
  };
}
