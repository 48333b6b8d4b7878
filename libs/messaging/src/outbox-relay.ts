import type { JetStreamClient } from '@nats-io/jetstream';
import { clientOf, type Db } from '@platform/db-kit';
import type { Logger } from '@platform/logging';
import type { Metrics } from '@platform/metrics';
import { backoff, waitOut, type DependencyMonitor } from '@platform/resilience';
import { SpanKind, extractContext, traceHeaders, tracingActive, withSpan } from '@platform/tracing';
import type { Sql } from 'postgres';
import { toMsgHdrs } from './headers.js';
import { relayMetrics } from './metrics.js';
import { settlesWithin } from './settles-within.js';
import { namespacedSubject } from './namespace.js';
import { outboxChannel } from './outbox.js';
import { pipelinedTransaction } from './pipelined-transaction.js';
import { claimRows, markRows, relayBegin, type ClaimedRow } from './relay-statements.js';

export interface OutboxRelayOptions {
  db: Db;
  /** Raw postgres.js client: when given, LISTEN wakes the relay right after a commit. */
  sql?: Sql;
  /** Only `publish` is used (tests wrap it to simulate a lost ack). */
  js: Pick<JetStreamClient, 'publish'>;
  logger: Logger;
  namespace?: string;
  batchSize?: number;
  /** Fallback polling period (and the only trigger without `sql`). */
  pollIntervalMs?: number;
  /** How long to wait for a publish ack before counting the attempt as failed. */
  publishTimeoutMs?: number;
  /** Pause after a batch with failures, so a NATS outage is not hammered. */
  errorBackoffMs?: number;
  /** The database's monitor: while it is down the relay waits for it instead of retrying every second. */
  availability?: DependencyMonitor;
  /** The service's registry: `outbox_published_total`, `outbox_publish_failures_total`. */
  metrics?: Metrics;
  /**
   * Longest a batch's transaction may take, claim to COMMIT (default: the publish timeout plus
   * 10 s). Past it the batch is rolled back: its rows stay unpublished and go out again.
   */
  batchTimeoutMs?: number;
  /** Longest stop() waits for the batch in flight (default 10 s); an unfinished one is rolled back when the pool closes. */
  stopTimeoutMs?: number;
}

/** A claimed batch's rows and, in the same order, null (acked) or the publish error. */
interface Outcome {
  ids: string[];
  errors: Array<string | null>;
  failed: number;
}

export interface BatchResult {
  claimed: number;
  published: number;
  failed: number;
}

export interface OutboxRelay {
  start(): Promise<void>;
  /** Stops polling and waits for the batch in flight. */
  stop(): Promise<void>;
  /** Publishes everything pending now (one batch after another); returns how many were sent. */
  flush(): Promise<number>;
  /**
   * A commit of this process wrote outbox rows: claim now, as on a NOTIFY (whose commit-time lock
   * the writer then need not take; any replica's relay may claim any row).
   */
  wake(): void;
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, js, namespace } = options;
  const logger = options.logger.child({ component: 'outbox-relay' });
  // 1,000 publishes in flight: JetStream acks them pipelined (~32k msgs/s here vs ~6.9k one at a time).
  const batchSize = options.batchSize ?? 1000;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  const errorBackoffMs = options.errorBackoffMs ?? 1_000;
  const batchTimeoutMs = options.batchTimeoutMs ?? publishTimeoutMs + 10_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const counted = relayMetrics(options.metrics);

  let running = false;
  let stopped = new AbortController();
  let loop: Promise<void> | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  async function send(row: ClaimedRow, subject: string, headers: Record<string, string>): Promise<void> {
    // The payload arrives as the stored JSON text: no parse and stringify per event.
    await js.publish(subject, row.payload, {
      msgID: row.id, // the same id on every attempt: JetStream stores it once
      headers: toMsgHdrs(headers),
      timeout: publishTimeoutMs,
    });
  }

  function publishRow(row: ClaimedRow): Promise<void> {
    const subject = namespacedSubject(row.subject, namespace);
    if (!tracingActive()) return send(row, subject, row.headers);
    // A PRODUCER span under the trace stored with the row (none when the row carries no trace);
    // the message's `traceparent` names this span, so consumers become its children.
    const attributes = { 'messaging.system': 'nats', 'messaging.operation.type': 'send', 'messaging.destination.name': subject, 'messaging.message.id': row.id };
    return withSpan(`publish ${row.subject}`, { kind: SpanKind.PRODUCER, parent: extractContext(row.headers), childOnly: true, attributes }, () =>
      send(row, subject, { ...row.headers, ...traceHeaders() }),
    );
  }

  /**
   * Claims a batch under row locks (other relay replicas skip them), publishes it all at once
   * (the acks come back pipelined on one connection, in the order sent) and records the outcome
   * before the locks are released, in one UPDATE for published and failed rows alike.
   */
  function processBatch(onSent?: (claimed: number) => void): Promise<BatchResult> {
    // BEGIN (with the batch's settings, see relayBegin) goes out with the claim, COMMIT with the
    // mark: two round trips and four statements a batch.
    return pipelinedTransaction(
      clientOf(db),
      async (conn): Promise<Outcome> => {
        const rows = await claimRows(conn, batchSize);
        if (rows.length === 0) return { ids: [], errors: [], failed: 0 };
        // Every publish of the batch is on the connection now (in claim order): the next batch may be claimed.
        const acks = Promise.allSettled(rows.map(publishRow));
        onSent?.(rows.length);
        return outcomeOf(rows, await acks);
      },
      (conn, { ids, errors }) => (ids.length > 0 ? markRows(conn, ids, errors) : Promise.resolve()),
      { timeoutMs: batchTimeoutMs, begin: relayBegin },
    ).then(({ ids, failed }) => counted({ claimed: ids.length, published: ids.length - failed, failed }));
  }

  /** Each row's outcome: null when acked, its error (kept for the next attempt) when not. */
  function outcomeOf(rows: ClaimedRow[], results: PromiseSettledResult<void>[]): Outcome {
    const ids: string[] = [];
    const errors: Array<string | null> = [];
    let failed = 0;
    for (let i = 0; i < results.length; i++) {
      const row = rows[i] as ClaimedRow;
      const result = results[i] as PromiseSettledResult<void>;
      ids.push(row.id);
      if (result.status === 'fulfilled') {
        errors.push(null);
        continue;
      }
      const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
      logger.warn({ eventId: row.id, subject: row.subject, attempts: row.attempts + 1, err: message }, 'publish failed, will retry');
      errors.push(message.slice(0, 2000));
      failed += 1;
    }
    return { ids, errors, failed };
  }

  /**
   * How a run is woken. Each run has its own (the current one is `signals`): a run left going by a
   * stop() that timed out neither takes the next run's wake-ups nor clears them, and the wake-up
   * stop() sends its run is not owed to the next one (shared, it made the next run claim ahead for
   * nothing and then hold a fresh commit's claim behind its first batch's acks and UPDATE).
   */
  interface Signals {
    /** Set while the run idles: ends the idle. */
    wake?: () => void;
    /** Set by a NOTIFY that came while a batch was being worked: the next idle is skipped. */
    notified: boolean;
    /** Set while a batch is being recorded: a NOTIFY then lets the next claim start. */
    busy?: () => void;
  }
  let signals: Signals = { notified: false };

  /** Resolves (true) at the first NOTIFY since the last claim. */
  function notice(own: Signals): Promise<boolean> {
    if (own.notified) return Promise.resolve(true);
    return new Promise((resolve) => (own.busy = () => resolve(true)));
  }

  function idle(own: Signals, ms: number): Promise<void> {
    if (own.notified) {
      own.notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      // Assigned, not a named function: tsx's keepNames costs each one an Object.defineProperty
      // call as it is made, and an idle is made after most batches.
      const done = (own.wake = (): void => {
        clearTimeout(timer);
        own.wake = undefined;
        resolve();
      });
      const timer = setTimeout(done, ms);
    });
  }

  function onNotify(): void {
    const own = signals;
    if (own.wake) own.wake();
    else {
      // A commit notified while a batch was in flight: its row may be newer than that claim.
      own.notified = true;
      own.busy?.();
    }
  }

  type Settled = { result: BatchResult } | { error: unknown };
  type Next = 'now' | 'poll' | 'backoff' | 'outage';

  /** A batch in flight: `sent` resolves once its publishes are on the wire (0 if it failed before), `done` when it is recorded. */
  function startBatch(): { sent: Promise<number>; done: Promise<Settled> } {
    let sent!: (claimed: number) => void;
    const onWire = new Promise<number>((resolve) => (sent = resolve));
    const done = processBatch(sent).then(
      (result): Settled => ({ result }), // counted by processBatch
      (error: unknown): Settled => ({ error }),
    );
    return { sent: Promise.race([onWire, done.then(() => 0)]), done };
  }

  /** Logs a finished batch and says what the loop does next. */
  function outcome(settled: Settled): Next {
    if ('error' in settled) {
      if (options.availability?.report(settled.error)) return 'outage';
      logger.error({ err: settled.error }, 'outbox batch failed');
      return 'backoff';
    }
    const { result } = settled;
    if (result.published > 0) logger.debug(result, 'outbox batch published');
    if (result.failed > 0) return 'backoff';
    return result.claimed < batchSize ? 'poll' : 'now';
  }

  /**
   * One batch ahead: once a full batch's publishes are on the wire, or a commit is notified while
   * a batch waits for its acks and UPDATE, the next is claimed (SKIP LOCKED passes over the rows
   * still locked) and published while the first one's acks come back, so the database's round
   * trips overlap JetStream's and a fresh commit waits for one claim, not a whole batch. The stream still receives the rows
   * in claim order (a batch is sent only after the one before it), and each row is marked only
   * after its own ack, in its own batch's transaction. Never more than two batches at once.
   *
   * Each run has its own signal (as the consume loop's): a run left going by a stop() that timed
   * out ends after its batch instead of relaying beside the next start()'s.
   */
  async function run(signal: AbortSignal, wakeups: Signals): Promise<void> {
    const active = () => !signal.aborted;
    const outageDelays = backoff({ minMs: 50, maxMs: errorBackoffMs });
    let ahead: Promise<Settled> | undefined;
    while (active()) {
      const batch = startBatch();
      const claimed = await batch.sent;
      let next: Next | undefined;
      if (ahead) {
        const before = outcome(await ahead);
        // Only a failure of the batch before counts here: whether it was full is old news now.
        next = before === 'outage' || before === 'backoff' ? before : undefined;
        ahead = undefined;
      }
      // A full batch means more is waiting; a commit notified before this batch is recorded may
      // be one its claim did not see. Either way the next claim goes out then, not after this
      // batch's acks and UPDATE.
      if (claimed > 0 && active() && next === undefined) {
        const more = claimed === batchSize || (await Promise.race([batch.done.then(() => false), notice(wakeups)]));
        wakeups.busy = undefined;
        if (more && active()) {
          wakeups.notified = false;
          ahead = batch.done;
          continue;
        }
      }
      const own = outcome(await batch.done);
      // The worse of the two decides (an outage, then a failure, then polling).
      const order: Next[] = ['outage', 'backoff', 'poll', 'now'];
      next = next === undefined || order.indexOf(own) < order.indexOf(next) ? own : next;
      if (next === 'outage') {
        if (options.availability) await waitOut(options.availability, outageDelays, signal);
        continue;
      }
      outageDelays.reset();
      if (!active()) break;
      if (next === 'backoff') await idle(wakeups, errorBackoffMs);
      else if (next === 'poll') await idle(wakeups, pollIntervalMs);
    }
    if (ahead) outcome(await ahead);
  }

  return {
    async start() {
      if (running) return;
      running = true;
      // This start's own signal, taken before LISTEN is awaited: a stop() meanwhile aborts it.
      const { signal } = (stopped = new AbortController());
      // And its own wake-ups, from the first NOTIFY on: one that comes before its loop runs is kept.
      const wakeups: Signals = (signals = { notified: false });
      if (options.sql) {
        try {
          const sub = await options.sql.listen(outboxChannel, onNotify);
          // A stop() that came while LISTEN was awaited has already let go: this start is over.
          if (signal.aborted) {
            await sub.unlisten().catch(() => undefined);
            return;
          }
          unlisten = sub.unlisten;
        } catch (err) {
          logger.warn({ err }, 'LISTEN failed, relying on polling');
        }
      }
      if (signal.aborted) return;
      loop = run(signal, wakeups);
      logger.info({ namespace, batchSize, pollIntervalMs }, 'outbox relay started');
    },
    async stop() {
      if (!running) return;
      running = false;
      stopped.abort();
      onNotify();
      // Taken before the wait, so a start() meanwhile keeps its own subscription.
      const ownUnlisten = unlisten;
      unlisten = undefined;
      // Bounded: a batch that cannot finish (its connection gone silent) must not hold the
      // shutdown. Closing the pool rolls it back; rows it did not mark are published again later.
      if (!(await settlesWithin(loop, stopTimeoutMs))) {
        logger.warn({ stopTimeoutMs }, 'outbox relay stopped with a batch still in flight: its rows are sent again unless it commits');
      }
      await ownUnlisten?.().catch(() => undefined);
      logger.info('outbox relay stopped');
    },
    async flush() {
      let total = 0;
      for (;;) {
        const result = await processBatch();
        total += result.published;
        if (result.failed > 0 || result.claimed < batchSize) return total;
      }
    },
    wake() {
      if (running) onNotify();
    },
  };
}

