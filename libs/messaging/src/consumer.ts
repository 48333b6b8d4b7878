import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { parseEvent, type EventContract, type EventEnvelope, type StreamDefinition, type StreamKey } from '@platform/contracts';
import type { Db, Tx } from '@platform/db-kit';
import type { Logger } from '@platform/logging';
import type { Metrics } from '@platform/metrics';
import { createDependencyMonitor, type DependencyMonitor } from '@platform/resilience';
import { SpanKind, activeTraceId, tracingActive, withSpan } from '@platform/tracing';
import { sql } from 'drizzle-orm';
import { consumeLoop } from './consume-loop.js';
import { durableConsumer } from './durable-consumer.js';
import { consumerMetrics } from './metrics.js';
import { namespacedSubject, stripNamespace } from './namespace.js';
import { retryPolicy } from './retry-policy.js';
import { resolveStream } from './streams.js';
import { messageAttributes, messageContext } from './tracing.js';
import { inboxTable } from './tables.js';
import { workThrough } from './work-through.js';

/** The envelope type of any of the contracts, discriminated by `type`. */
export type EnvelopeOf<C extends EventContract> = C extends EventContract ? EventEnvelope<C> : never;

export interface HandlerContext {
  /** Child logger carrying correlationId, eventId, eventType and the consumer name. */
  logger: Logger;
  /** 1 on the first delivery. */
  deliveryCount: number;
  subject: string;
  streamSequence: number;
  /** The service's registry, for the handler's own series (absent when the consumer has none). */
  metrics?: Metrics;
}

export interface ConsumerOptions<C extends EventContract> {
  /** Durable name shared by every replica, e.g. `billing-project-users`. */
  name: string;
  stream: StreamKey | StreamDefinition;
  contracts: readonly C[];
  /** Runs inside the transaction that records the event in the inbox: apply effects with `tx`. */
  handler: (event: EnvelopeOf<C>, tx: Tx, ctx: HandlerContext) => Promise<void>;
  db: Db;
  js: JetStreamClient;
  jsm: JetStreamManager;
  logger: Logger;
  namespace?: string;
  /** Deliveries before a failing message is dead-lettered. */
  maxAttempts?: number;
  /** Redelivery delay after the n-th failure (last value repeats). */
  backoffMs?: readonly number[];
  /** Time the server waits for an ack before redelivering. */
  ackWaitMs?: number;
  /** Messages buffered per pull. */
  maxMessages?: number;
  /**
   * Tells an unreachable database from a failing handler (the service shares one): while it is
   * down, messages wait, checked out, instead of spending delivery attempts. Default: a monitor
   * of this consumer's own, probing `db`.
   */
  availability?: DependencyMonitor;
  /** The service's registry: `consumer_messages_total`, `consumer_handler_duration_seconds`, `consumer_pending`, `dead_letter_messages`. */
  metrics?: Metrics;
}

export interface EventConsumer {
  start(): Promise<void>;
  /** Stops pulling, finishes the message in flight; buffered messages go back to the server. */
  stop(): Promise<void>;
}

type Outcome = 'handled' | 'duplicate' | 'dead-lettered' | 'retry' | 'skipped' | 'unavailable';

export function createConsumer<C extends EventContract>(options: ConsumerOptions<C>): EventConsumer {
  const { name, db, js, jsm, namespace, handler } = options;
  const logger = options.logger.child({ consumer: name });
  const stream = resolveStream(options.stream, namespace);
  const bySubject = new Map<string, C>(options.contracts.map((c) => [c.type, c]));
  const filters = options.contracts.map((c) => namespacedSubject(c.type, namespace));
  if (filters.length === 0) throw new Error(`consumer ${name} has no contracts`);
  for (const subject of filters) {
    if (!stream.subjects.some((pattern) => matches(pattern, subject))) {
      throw new Error(`consumer ${name}: ${subject} is not carried by stream ${stream.name}`);
    }
  }
  const counters = consumerMetrics(options.metrics, { jsm, stream: stream.name, name, namespace });
  const retry = retryPolicy({ js, consumer: name, namespace, maxAttempts: options.maxAttempts, backoffMs: options.backoffMs, metrics: counters });
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const durable = durableConsumer(jsm, stream, name, { filterSubjects: filters, ackWaitMs }, logger);
  const ownMonitor = options.availability
    ? undefined
    : createDependencyMonitor({ name: 'postgres', probe: () => db.execute(sql`select 1`), logger });
  const availability = options.availability ?? (ownMonitor as DependencyMonitor);
  const maxMessages = options.maxMessages ?? 32;

  async function handle(msg: JsMsg): Promise<Outcome> {
    const deliveryCount = msg.info.deliveryCount;
    const contract = bySubject.get(stripNamespace(msg.subject, namespace));
    if (!contract) {
      // Only when the server ignores filter_subjects (NATS < 2.10): not ours, nothing to do.
      msg.ack();
      return 'skipped';
    }
    const parsed = parseEvent(contract, msg.data);
    if (!parsed.success) return retry.deadLetter(msg, parsed.reason, logger);
    const event = parsed.event as EnvelopeOf<C>;
    if (!tracingActive()) return apply(msg, event, deliveryCount);
    // The event continues the trace of the request that caused it (`traceparent` from the relay).
    const span = { kind: SpanKind.CONSUMER, parent: messageContext(msg), attributes: messageAttributes(msg, name, event.id), childOnly: true };
    return withSpan(`process ${event.type}`, span, () => apply(msg, event, deliveryCount));
  }

  async function apply(msg: JsMsg, event: EnvelopeOf<C>, deliveryCount: number): Promise<Outcome> {
    const traceId = activeTraceId();
    const log = logger.child({ correlationId: event.correlationId, eventId: event.id, eventType: event.type, ...(traceId ? { traceId } : {}) });
    if (deliveryCount > retry.maxAttempts) {
      // A delivery that never got an answer (a crash mid-handler) counts as a failed attempt too.
      return retry.deadLetter(msg, `gave up after ${deliveryCount - 1} deliveries without an outcome`, log);
    }
    // Known to be down: not an attempt at all, the message waits.
    if (availability.isDown()) return 'unavailable';
    const ctx: HandlerContext = { logger: log, deliveryCount, subject: msg.subject, streamSequence: msg.seq, metrics: options.metrics };
    const timed = counters.time();
    try {
      const outcome = await db.transaction(async (tx): Promise<Outcome> => {
        const fresh = await tx
          .insert(inboxTable)
          .values({ consumer: name, eventId: event.id })
          .onConflictDoNothing()
          .returning({ eventId: inboxTable.eventId });
        if (fresh.length === 0) return 'duplicate';
        await handler(event, tx, ctx);
        return 'handled';
      });
      msg.ack();
      counters.count(outcome === 'handled' ? 'handled' : 'duplicate');
      log.debug({ outcome, deliveryCount }, 'event processed');
      return outcome;
    } catch (err) {
      // The database (not the handler) failed: the message waits for it, no attempt spent.
      if (availability.report(err)) return 'unavailable';
      return retry.failed(msg, err, 'handler', log);
    } finally {
      timed();
    }
  }

  const loop = consumeLoop({
    js,
    stream: stream.name,
    name,
    logger,
    maxMessages,
    ensure: () => durable.ensure(),
    process: (messages, session) =>
      workThrough(messages, session, {
        take: 1,
        readAhead: maxMessages,
        work: async ([msg]) => (msg && (await handle(msg)) === 'unavailable' ? [msg] : []),
        availability,
        heartbeatMs: Math.max(100, Math.floor(ackWaitMs / 3)),
        logger,
      }),
    label: 'consumer',
    startedFields: { subjects: filters },
  });
  return {
    start: () => loop.start(),
    async stop() {
      await loop.stop();
      ownMonitor?.close();
    },
  };
}

/** NATS subject wildcard match (`*` one token, `>` the rest). */
export function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}
