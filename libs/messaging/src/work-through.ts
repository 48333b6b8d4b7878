import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '@platform/logging';
import { backoff, waitOut, type DependencyMonitor } from '@platform/resilience';
import type { ConsumeSession } from './consume-loop.js';

export interface WorkThroughOptions {
  /** Messages handed to `work` at once (1 for a per-message consumer). */
  take: number;
  /** How far the reader runs ahead of the work while nothing is held (back-pressure). */
  readAhead: number;
  /** Settles a batch (ack, nak, dead-letter); returns, in order, what it could not settle because the dependency is down. */
  work(batch: JsMsg[]): Promise<JsMsg[]>;
  /** The dependency `work` needs (the service's database). */
  availability: Pick<DependencyMonitor, 'whenUp'>;
  /** How often held messages get their ack deadline pushed back (a third of the ack wait). */
  heartbeatMs: number;
  logger: Logger;
}

/**
 * Works through one pull session: a reader queues what arrives while `work` handles the front.
 *
 * An outage is not the messages' fault, so it must not cost them delivery attempts: when `work`
 * hands messages back, they return to the front of the queue and everything waits for the
 * dependency, every message in hand kept checked out with `working()` so the server neither
 * redelivers it nor counts another delivery. The reader keeps draining the session meanwhile
 * (the server's max_ack_pending bounds it), so nothing sits unheard in the client's buffer.
 * On stop, whatever is queued goes back to the server (nak) for another replica.
 */
export async function workThrough(messages: ConsumerMessages, session: ConsumeSession, options: WorkThroughOptions): Promise<void> {
  const { take, readAhead, logger } = options;
  const queue: JsMsg[] = [];
  let inFlight: JsMsg[] = [];
  let holding = false;
  let heldSince = 0;
  let wakeWorker: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  let readerDone = false;
  let readerError: unknown;

  // Never rejects (a failed session would be an unhandled rejection while the worker is busy): the error is kept and rethrown below.
  const reader = (async () => {
    try {
      for await (const msg of messages) {
        queue.push(msg);
        wakeWorker?.();
        while (queue.length >= readAhead && !holding && !session.stopping()) await new Promise<void>((r) => (wakeReader = r));
      }
    } catch (err) {
      readerError = err;
    } finally {
      readerDone = true;
      wakeWorker?.();
    }
  })();

  const heartbeat = setInterval(() => {
    if (!holding) return;
    for (const msg of inFlight) msg.working();
    for (const msg of queue) msg.working();
  }, options.heartbeatMs);
  const delays = backoff({ minMs: 50, maxMs: 5_000 });

  try {
    while (!session.stopping()) {
      if (queue.length === 0) {
        if (readerDone) break;
        await new Promise<void>((r) => (wakeWorker = r));
        wakeWorker = undefined;
        continue;
      }
      inFlight = queue.splice(0, take);
      wakeReader?.();
      const unsettled = await options.work(inFlight);
      inFlight = [];
      if (unsettled.length > 0) {
        queue.unshift(...unsettled);
        if (!holding) {
          holding = true;
          heldSince = Date.now();
          wakeReader?.();
          logger.warn({ held: queue.length }, 'dependency unavailable: holding messages until it answers');
        }
        if (!(await waitOut(options.availability, delays, session.signal))) break;
      } else if (holding) {
        holding = false;
        delays.reset();
        logger.info({ heldForMs: Date.now() - heldSince }, 'dependency back: held messages processed');
      }
    }
  } finally {
    clearInterval(heartbeat);
  }
  wakeReader?.();
  await reader; // ends once the session is closed (on stop) or drained
  for (const msg of queue.splice(0)) msg.nak(); // queued but not started: another replica may take them now
  if (readerError !== undefined && !session.stopping()) throw readerError; // the loop logs it and pulls again
}
