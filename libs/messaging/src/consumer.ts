import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { parseEvent, type EventContract, type EventEnvelope, type StreamDefinition, type StreamKey } from '@platform/contracts';
import type { Db, Tx } from '@platform/db-kit';
import type { Logger } from '@platform/logging';
import { publishDeadLetter } from './dead-letter.js';
import { namespacedSubject, stripNamespace } from './namespace.js';
import { resolveStream } from './streams.js';
import { inboxTable } from './tables.js';

/** The envelope type of any of the contracts, discriminated by `type`. */
export type EnvelopeOf<C extends EventContract> = C extends EventContract ? EventEnvelope<C> : never;

export interface HandlerContext {
  /** Child logger carrying correlationId, eventId, eventType and the consumer name. */
  logger: Logger;
  /** 1 on the first delivery. */
  deliveryCount: number;
  subject: string;
  streamSequence: number;
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
}

export interface EventConsumer {
  start(): Promise<void>;
  /** Stops pulling, finishes the message in flight; buffered messages go back to the server. */
  stop(): Promise<void>;
}

type Outcome = 'handled' | 'duplicate' | 'dead-lettered' | 'retry' | 'skipped';

export function createConsumer<C extends EventContract>(options: ConsumerOptions<C>): EventConsumer {
  const { name, db, js, jsm, namespace, handler } = options;
  const logger = options.logger.child({ consumer: name });
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffMs = options.backoffMs?.length ? options.backoffMs : [1_000, 5_000, 15_000, 30_000];
  const stream = resolveStream(options.stream, namespace);
  const bySubject = new Map<string, C>(options.contracts.map((c) => [c.type, c]));
  const filters = options.contracts.map((c) => namespacedSubject(c.type, namespace));
  if (filters.length === 0) throw new Error(`consumer ${name} has no contracts`);
  for (const subject of filters) {
    if (!stream.subjects.some((pattern) => matches(pattern, subject))) {
      throw new Error(`consumer ${name}: ${subject} is not carried by stream ${stream.name}`);
    }
  }

  let messages: ConsumerMessages | undefined;
  let loop: Promise<void> | undefined;
  let stopping = false;

  const backoffFor = (deliveryCount: number) =>
    backoffMs[Math.min(deliveryCount - 1, backoffMs.length - 1)] ?? 1_000;

  // NATS < 2.10 has no filter_subjects: consume the whole stream and ack what is not ours.
  let wholeStream = false;

  function consumerConfig(): Partial<ConsumerConfig> {
    const filter =
      filters.length === 1
        ? { filter_subject: filters[0] }
        : wholeStream
          ? stream.subjects.length === 1
            ? { filter_subject: stream.subjects[0] }
            : {}
          : { filter_subjects: filters };
    return {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
      max_deliver: -1, // attempts are bounded here, so the last one can be dead-lettered
      ...filter,
    };
  }

  async function addOrUpdate(): Promise<void> {
    const config = consumerConfig();
    const existing = await jsm.consumers.info(stream.name, name).catch(() => null);
    if (!existing) {
      try {
        await jsm.consumers.add(stream.name, config);
        return;
      } catch (err) {
        if (!(await jsm.consumers.info(stream.name, name).catch(() => null))) throw err;
      }
    }
    const { durable_name: _durable, deliver_policy: _deliver, ...updatable } = config;
    await jsm.consumers.update(stream.name, name, updatable).catch((err: unknown) => {
      logger.warn({ err }, 'could not update consumer config, keeping the existing one');
    });
  }

  async function ensureConsumer(): Promise<void> {
    try {
      await addOrUpdate();
    } catch (err) {
      if (wholeStream || !/requires server 2\.10/.test(String(err))) throw err;
      wholeStream = true;
      logger.info('server lacks filter_subjects, consuming the whole stream');
      await addOrUpdate();
    }
  }

  async function deadLetter(msg: JsMsg, reason: string, log: Logger): Promise<Outcome> {
    try {
      const subject = await publishDeadLetter({ js, consumer: name, msg, reason, namespace });
      msg.ack();
      log.warn({ reason, deadLetterSubject: subject, deliveryCount: msg.info.deliveryCount }, 'message dead-lettered');
      return 'dead-lettered';
    } catch (err) {
      log.error({ err, reason }, 'dead-letter publish failed, message will be redelivered');
      msg.nak(backoffFor(msg.info.deliveryCount));
      return 'retry';
    }
  }

  async function handle(msg: JsMsg): Promise<Outcome> {
    const deliveryCount = msg.info.deliveryCount;
    const contract = bySubject.get(stripNamespace(msg.subject, namespace));
    if (!contract) {
      // Only when the server ignores filter_subjects (NATS < 2.10): not ours, nothing to do.
      msg.ack();
      return 'skipped';
    }
    const parsed = parseEvent(contract, msg.data);
    if (!parsed.success) return deadLetter(msg, parsed.reason, logger);
    const event = parsed.event as EnvelopeOf<C>;
    const log = logger.child({ correlationId: event.correlationId, eventId: event.id, eventType: event.type });
    if (deliveryCount > maxAttempts) {
      // A delivery that never got an answer (a crash mid-handler) counts as a failed attempt too.
      return deadLetter(msg, `gave up after ${deliveryCount - 1} deliveries without an outcome`, log);
    }
    const ctx: HandlerContext = { logger: log, deliveryCount, subject: msg.subject, streamSequence: msg.seq };
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
      log.debug({ outcome, deliveryCount }, 'event processed');
      return outcome;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (deliveryCount >= maxAttempts) {
        return deadLetter(msg, `handler failed after ${deliveryCount} attempts: ${reason}`, log);
      }
      const delay = backoffFor(deliveryCount);
      log.warn({ err, deliveryCount, retryInMs: delay }, 'handler failed, will retry');
      msg.nak(delay);
      return 'retry';
    }
  }

  async function consumeLoop(): Promise<void> {
    while (!stopping) {
      try {
        const consumer = await js.consumers.get(stream.name, name);
        messages = await consumer.consume({ max_messages: options.maxMessages ?? 32 });
        for await (const msg of messages) {
          if (stopping) {
            msg.nak(); // buffered but not started: let another replica have it now
            continue;
          }
          await handle(msg);
        }
      } catch (err) {
        if (stopping) break;
        logger.error({ err }, 'consumer loop failed, restarting');
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
      loop = consumeLoop();
      logger.info({ stream: stream.name, subjects: filters }, 'consumer started');
    },
    async stop() {
      if (!loop) return;
      stopping = true;
      const closing = messages?.close();
      await loop;
      await closing;
      loop = undefined;
      messages = undefined;
      logger.info('consumer stopped');
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
