import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { parseEvent, type EventContract, type EventEnvelope, type StreamDefinition, type StreamKey } from '@platform/contracts';
import type { Db, Tx } from '@platform/db-kit';
import { lazyChild, type Logger } from '@platform/logging';
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
import { recordInbox } from './inbox.js';
import { finalStatements, isAbortedTransaction, type Blame, type FinalStatement, type FinalStatements } from './final-statements.js';
import { pipelinedDrizzleTransaction } from './pipelined-transaction.js';
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
  /**
   * Sends `statement`, the handler's last, without waiting for its answer: it goes out with the
   * transaction's COMMIT, one round trip less per transaction. At most once, before the handler
   * returns; its result is not read. When it fails, the transaction is rolled back and the
   * failure counts against this event exactly as if the handler had thrown (retried, then
   * dead-lettered; an outage still counts against no one).
   */
  sendWithCommit(statement: FinalStatement): void;
}

/** What the consumer knows of a delivery; each run of its handler adds its own `sendWithCommit`. */
type DeliveryContext = Omit<HandlerContext, 'sendWithCommit'>;

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
   * Most events applied in one transaction (default 32, at most `maxMessages`): a batch is what
   * has arrived, so at a low rate it is one event and nothing waits for a batch to fill. 1 keeps
   * one transaction per event (for handlers whose effects must not share one).
   */
  batchSize?: number;
  /**
   * Lets the handlers of one batch run concurrently for events with different keys (e.g. the user
   * id): their statements are pipelined on the batch's one connection instead of each waiting for
   * the one before it (one round trip for the batch's handlers instead of one each). Events with
   * the same key still run one after another in stream order. Only for handlers whose effects
   * under different keys are independent and that open no nested transaction. Default: every
   * handler in stream order, one at a time.
   */
  concurrencyKey?: (event: EnvelopeOf<C>) => string;
  /**
   * Tells an unreachable database from a failing handler (the service shares one): while it is
   * down, messages wait, checked out, instead of spending delivery attempts. Default: a monitor
   * of this consumer's own, probing `db`.
   */
  availability?: DependencyMonitor;
  /** The service's registry: `consumer_messages_total`, `consumer_handler_duration_seconds`, `consumer_pending`, `dead_letter_messages`. */
  metrics?: Metrics;
  /** Longest a batch's transaction may take (default: the ack wait); past it it is rolled back and counts as a failed attempt. */
  batchTimeoutMs?: number;
  /** Longest stop() waits for the batch in flight (default 10 s); its messages, unacked, are redelivered. */
  stopTimeoutMs?: number;
}

export interface EventConsumer {
  start(): Promise<void>;
  /** Stops pulling, finishes the message in flight; buffered messages go back to the server. */
  stop(): Promise<void>;
}

type Outcome = 'handled' | 'duplicate' | 'dead-lettered' | 'retry' | 'skipped' | 'unavailable';

export function createConsumer<C extends EventContract>(options: ConsumerOptions<C>): EventConsumer {
  const { name, db, js, jsm, namespace, handler, concurrencyKey } = options;
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
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 32, maxMessages));
  // Past the ack wait the server redelivers the batch anyway: a transaction still open then only
  // holds its locks against the redelivery. Rolled back, it costs its events one attempt.
  const batchTimeoutMs = options.batchTimeoutMs ?? ackWaitMs;

  /**
   * BEGIN pipelined with the inbox INSERT, the handlers' final statements with the COMMIT (a round
   * trip less each); with tracing on, the database's own (traced) transaction, whose span is the
   * handler's unit of work, and the final statements are awaited before its COMMIT.
   */
  const transaction = <T>(finals: FinalStatements, fn: (tx: Tx) => Promise<T>): Promise<T> =>
    tracingActive()
      ? db.transaction(async (tx) => {
          const value = await fn(tx);
          await finals.settle();
          return value;
        })
      : pipelinedDrizzleTransaction(db, fn, { timeoutMs: batchTimeoutMs, finish: finals.settle });

  /** An event that passed the checks and is ready to apply. */
  interface Ready {
    msg: JsMsg;
    event: EnvelopeOf<C>;
    log: Logger;
    ctx: DeliveryContext;
  }

  /** Settles what is not ours or invalid; otherwise the parsed event. */
  async function parse(msg: JsMsg): Promise<{ msg: JsMsg; event: EnvelopeOf<C> } | Outcome> {
    const contract = bySubject.get(stripNamespace(msg.subject, namespace));
    if (!contract) {
      // Only when the server ignores filter_subjects (NATS < 2.10): not ours, nothing to do.
      msg.ack();
      return 'skipped';
    }
    const parsed = parseEvent(contract, msg.data);
    if (!parsed.success) return retry.deadLetter(msg, parsed.reason, logger);
    return { msg, event: parsed.event as EnvelopeOf<C> };
  }

  /** Dead-letters a delivery out of attempts; otherwise the event ready to apply. */
  async function prepare(msg: JsMsg, event: EnvelopeOf<C>): Promise<Ready | Outcome> {
    const deliveryCount = msg.info.deliveryCount;
    const traceId = activeTraceId();
    // Made on first line written at an enabled level: a child with the redaction paths costs more
    // than the rest of the framework's work on an event, and most events write no line.
    const log = lazyChild(logger, { correlationId: event.correlationId, eventId: event.id, eventType: event.type, ...(traceId ? { traceId } : {}) });
    if (deliveryCount > retry.maxAttempts) {
      // A delivery that never got an answer (a crash mid-handler) counts as a failed attempt too.
      return retry.deadLetter(msg, `gave up after ${deliveryCount - 1} deliveries without an outcome`, log);
    }
    return { msg, event, log, ctx: { logger: log, deliveryCount, subject: msg.subject, streamSequence: msg.seq, metrics: options.metrics } };
  }

  /** Traced: one event per transaction inside its CONSUMER span, continuing the relay's trace. */
  async function traced(msg: JsMsg, event: EnvelopeOf<C>): Promise<Outcome> {
    const span = { kind: SpanKind.CONSUMER, parent: messageContext(msg), attributes: messageAttributes(msg, name, event.id), childOnly: true };
    return withSpan(`process ${event.type}`, span, async () => {
      const ready = await prepare(msg, event);
      if (typeof ready === 'string') return ready;
      // Known to be down: not an attempt at all, the message waits.
      if (availability.isDown()) return 'unavailable';
      return applyOne(ready);
    });
  }

  /** One event, one transaction: inbox row + effect; a failure costs this message one attempt. */
  async function applyOne({ msg, event, log, ctx }: Ready): Promise<Outcome> {
    const timed = counters.time();
    const finals = finalStatements();
    try {
      const outcome = await transaction(finals, async (tx): Promise<Outcome> => {
        if ((await recordInbox(tx, name, [event.id])).size === 0) return 'duplicate';
        await finals.run(0, (send) => handler(event, tx, handlerContext(ctx, send)));
        return 'handled';
      });
      msg.ack();
      counters.count(outcome === 'handled' ? 'handled' : 'duplicate');
      log.debug({ outcome, deliveryCount: ctx.deliveryCount }, 'event processed');
      return outcome;
    } catch (err) {
      // The database (not the handler) failed: the message waits for it, no attempt spent.
      if (availability.report(err)) return 'unavailable';
      return retry.failed(msg, err, 'handler', log);
    } finally {
      timed();
    }
  }

  /**
   * The events at hand in one transaction: one inbox INSERT for all, the handlers in stream order,
   * one COMMIT (the per-event BEGIN/COMMIT round trips and WAL flushes were most of the cost).
   * Exactly-once holds as before: inbox rows and effects commit or roll back together. When a
   * handler fails, nothing of the batch is kept: that delivery spends its attempt (its handler ran
   * once, as alone) and the others are applied again without it.
   */
  async function applyMany(batch: Ready[]): Promise<JsMsg[]> {
    if (batch.length === 1) return (await applyOne(batch[0] as Ready)) === 'unavailable' ? [(batch[0] as Ready).msg] : [];
    // The event to blame when the transaction fails (-1: none, e.g. the inbox insert or the COMMIT).
    let current = -1;
    let handled = 0;
    // One sample per event, as alone: each waited for the whole batch's commit.
    const timers = batch.map(() => counters.time());
    const finals = finalStatements();
    try {
      await transaction(finals, async (tx) => {
        // A set consumed as applied: an event delivered twice in one batch is applied once.
        const pending = await recordInbox(tx, name, batch.map(({ event }) => event.id));
        const fresh = pending.size;
        const failures = concurrencyKey ? await runKeyed(batch, pending, tx, finals) : await runInOrder(batch, pending, tx, finals);
        // A handler's statement refused (25P02) because an earlier event's final statement failed blames that event.
        const blamed = failures.length > 0 ? await finals.blame(failures) : undefined;
        if (blamed) {
          current = blamed.index;
          throw blamed.err;
        }
        handled = fresh;
      });
    } catch (err) {
      // A final statement failed, answered with the COMMIT: its event is the one to blame.
      if (finals.blamed !== undefined) current = finals.blamed;
      // The database (not a handler) failed: every message waits for it, no attempt spent.
      if (availability.report(err)) return batch.map((r) => r.msg);
      // A statement refused because an earlier one (caught inside a handler) aborted the transaction blames no one.
      const failing = isAbortedTransaction(err) ? undefined : batch[current];
      if (!failing) {
        // Not a handler's failure (the inbox insert or the commit): each event on its own.
        const unsettled: JsMsg[] = [];
        for (const ready of batch) if ((await applyOne(ready)) === 'unavailable') unsettled.push(ready.msg);
        return unsettled;
      }
      await retry.failed(failing.msg, err, 'handler', failing.log);
      return applyMany(batch.filter((_, i) => i !== current));
    } finally {
      for (const stop of timers) stop();
    }
    counters.count('handled', handled);
    if (batch.length > handled) counters.count('duplicate', batch.length - handled);
    for (const { msg, log, ctx } of batch) {
      msg.ack();
      log.debug({ deliveryCount: ctx.deliveryCount }, 'event processed in a batch');
    }
    return [];
  }

  /** The fresh events' handlers one after another in stream order; stops at the first failure (returned). */
  async function runInOrder(batch: Ready[], pending: Set<string>, tx: Tx, finals: FinalStatements): Promise<Blame[]> {
    for (const [index, { event, ctx }] of batch.entries()) {
      if (!pending.delete(event.id)) continue;
      try {
        await finals.run(index, (send) => handler(event, tx, handlerContext(ctx, send)));
      } catch (err) {
        return [{ index, err }];
      }
    }
    return [];
  }

  /**
   * The fresh events' handlers, chained per key (stream order within a key) and concurrent across
   * keys; every chain settles before this returns, so nothing is sent on the connection after the
   * transaction ends. Returns the handlers' failures (the one to blame is chosen by `blameOf`).
   */
  async function runKeyed(batch: Ready[], pending: Set<string>, tx: Tx, finals: FinalStatements): Promise<Blame[]> {
    const key = concurrencyKey as (event: EnvelopeOf<C>) => string;
    const chains = new Map<string, Promise<void>>();
    const failures: Blame[] = [];
    for (const [index, ready] of batch.entries()) {
      if (!pending.delete(ready.event.id)) continue;
      const k = key(ready.event);
      const before = chains.get(k);
      // After a failure of the same key the rest of that chain does not run (the batch rolls back).
      // No closure bound to a name per event (see final-statements.ts on tsx's keepNames).
      chains.set(k, before ? before.then(() => runChained(index, ready, tx, finals, failures)) : runChained(index, ready, tx, finals, failures));
    }
    await Promise.allSettled(chains.values());
    return failures;
  }

  /** One handler of a keyed chain: its failure is recorded and ends the chain. */
  async function runChained(index: number, { event, ctx }: Ready, tx: Tx, finals: FinalStatements, failures: Blame[]): Promise<void> {
    try {
      await finals.run(index, (send) => handler(event, tx, handlerContext(ctx, send)));
    } catch (err) {
      failures.push({ index, err });
      throw err;
    }
  }

  async function work(messages: JsMsg[]): Promise<JsMsg[]> {
    const batch: Ready[] = [];
    const unsettled: JsMsg[] = [];
    for (const msg of messages) {
      const parsed = await parse(msg);
      if (typeof parsed === 'string') continue;
      // With tracing on, each event keeps its own span and transaction (the untraced path batches).
      if (tracingActive()) {
        if ((await traced(parsed.msg, parsed.event)) === 'unavailable') unsettled.push(msg);
        continue;
      }
      const ready = await prepare(parsed.msg, parsed.event);
      if (typeof ready !== 'string') batch.push(ready);
    }
    if (batch.length === 0) return unsettled;
    // Known to be down: not an attempt at all, the messages wait.
    if (availability.isDown()) return [...unsettled, ...batch.map((r) => r.msg)];
    return [...unsettled, ...(await applyMany(batch))];
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
        take: batchSize,
        readAhead: maxMessages,
        work,
        availability,
        heartbeatMs: Math.max(100, Math.floor(ackWaitMs / 3)),
        logger,
      }),
    label: 'consumer',
    startedFields: { subjects: filters },
    stopTimeoutMs: options.stopTimeoutMs,
  });
  return {
    start: () => loop.start(),
    async stop() {
      await loop.stop();
      ownMonitor?.close();
    },
  };
}

/**
 * A handler's context: the delivery's fields and this run's `sendWithCommit`, in one object literal
 * of one shape (a spread of the delivery's context plus a property cost a map transition per event).
 */
function handlerContext(ctx: DeliveryContext, sendWithCommit: HandlerContext['sendWithCommit']): HandlerContext {
  return { logger: ctx.logger, deliveryCount: ctx.deliveryCount, subject: ctx.subject, streamSequence: ctx.streamSequence, metrics: ctx.metrics, sendWithCommit };
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
