import type { ConsumerMessages, JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from '@platform/logging';
import { isInfrastructureFault } from '@platform/resilience';
import { settlesWithin } from './settles-within.js';

export interface ConsumeLoopOptions {
  js: JetStreamClient;
  stream: string;
  name: string;
  logger: Logger;
  /** Messages buffered per pull. */
  maxMessages: number;
  /** Creates or updates the durable consumer: before the first pull and after every failure. */
  ensure(): Promise<void>;
  /**
   * Works through one pull session until it ends; `session.stopping()` turns true on stop (and
   * `session.signal` aborts, waking any wait), when messages not started yet should be nak'ed
   * so another replica can take them now.
   */
  process(messages: ConsumerMessages, session: ConsumeSession): Promise<void>;
  /** What start/stop logs call it, e.g. "consumer". */
  label: string;
  /** Extra fields of the "started" log line. */
  startedFields?: Record<string, unknown>;
  /** Longest stop() waits for `process` and the session's close (default 10 s). */
  stopTimeoutMs?: number;
}

export interface ConsumeSession {
  stopping(): boolean;
  signal: AbortSignal;
}

export interface ConsumeLoop {
  start(): Promise<void>;
  /** Closes the pull session, waits for `process` to return. */
  stop(): Promise<void>;
}

/**
 * Start/stop of a durable pull consumer: pulls until stopped, and when a session fails (consumer
 * deleted, connection lost) waits a second, re-creates the consumer and pulls again.
 */
export function consumeLoop(options: ConsumeLoopOptions): ConsumeLoop {
  const { js, stream, name, logger, label } = options;
  let messages: ConsumerMessages | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let stopped = new AbortController();

  // Each run has its own signal: a run left going by a stop() that timed out ends instead of
  // pulling beside the next start()'s.
  async function run(signal: AbortSignal): Promise<void> {
    const stopping = () => signal.aborted;
    const session: ConsumeSession = { stopping, signal };
    while (!stopping()) {
      try {
        const consumer = await js.consumers.get(stream, name);
        const current = await consumer.consume({ max_messages: options.maxMessages });
        // stop() came while the session was being opened: it had nothing to close yet. Not
        // awaited: close() of a session that has not pulled yet resolves only once it would have.
        if (stopping()) {
          void current.close().catch(() => undefined);
          break;
        }
        messages = current;
        await options.process(current, session);
      } catch (err) {
        if (stopping()) break;
        // A broker that went away is an outage (one line), anything else deserves the stack.
        if (isInfrastructureFault(err)) logger.warn({ reason: String(err) }, `${label} lost its pull session, restarting`);
        else logger.error({ err }, `${label} loop failed, restarting`);
      }
      if (!stopping()) {
        await new Promise((r) => setTimeout(r, 1_000));
        await options.ensure().catch((err: unknown) => logger.error({ err }, 'could not re-create consumer'));
      }
    }
  }

  return {
    async start() {
      if (running) return;
      running = true;
      // This start's own signal, taken before ensure() is awaited (as the outbox relay's before
      // LISTEN): a stop() meanwhile (app.close() during boot) aborts it and the loop never runs.
      const { signal } = (stopped = new AbortController());
      try {
        await options.ensure();
      } catch (err) {
        // Stopped meanwhile, the set-up's outcome no longer matters; else start() can be retried.
        if (signal.aborted) return;
        running = false;
        throw err;
      }
      if (signal.aborted) return;
      loop = run(signal);
      logger.info({ stream, ...options.startedFields }, `${label} started`);
    },
    async stop() {
      if (!running) return;
      running = false;
      stopped.abort();
      // Let go of this run's loop and session now: a start() while this waits has its own.
      const ending = loop;
      const closing = messages?.close();
      loop = messages = undefined;
      // Bounded: a batch that cannot finish (its database connection gone silent) must not hold
      // the shutdown. What it did not ack is redelivered (the inbox keeps a committed effect once).
      const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
      if (!(await settlesWithin(Promise.all([ending, closing]), stopTimeoutMs))) {
        logger.warn({ stopTimeoutMs }, `${label} stopped with work still in flight: its messages are redelivered`);
      }
      logger.info(`${label} stopped`);
    },
  };
}
