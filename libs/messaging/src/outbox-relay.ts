import type { JetStreamClient } from '@nats-io/jetstream';
import type { Db } from '@platform/db-kit';
import type { Logger } from '@platform/logging';
import type { Metrics } from '@platform/metrics';
import { backoff, waitOut, type DependencyMonitor } from '@platform/resilience';
import { SpanKind, extractContext, traceHeaders, tracingActive, withSpan } from '@platform/tracing';
import { asc, eq, inArray, isNull, sql as dsql } from 'drizzle-orm';
import type { Sql } from 'postgres';
import { toMsgHdrs } from './headers.js';
import { relayMetrics } from './metrics.js';
import { namespacedSubject } from './namespace.js';
import { outboxChannel } from './outbox.js';
import { outboxTable, type OutboxRow } from './tables.js';

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
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, js, namespace } = options;
  const logger = options.logger.child({ component: 'outbox-relay' });
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  const errorBackoffMs = options.errorBackoffMs ?? 1_000;
  const counted = relayMetrics(options.metrics);

  let running = false;
  let stopped = new AbortController();
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  async function send(row: OutboxRow, subject: string, headers: Record<string, string>): Promise<void> {
    await js.publish(subject, JSON.stringify(row.payload), {
      msgID: row.id, // the same id on every attempt: JetStream stores it once
      headers: toMsgHdrs(headers),
      timeout: publishTimeoutMs,
    });
  }

  function publishRow(row: OutboxRow): Promise<void> {
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
   * Claims a batch under row locks (other relay replicas skip them), publishes concurrently and
   * records the outcome before the locks are released.
   */
  function processBatch(): Promise<BatchResult> {
    return db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(outboxTable)
        .where(isNull(outboxTable.publishedAt))
        .orderBy(asc(outboxTable.createdAt))
        .limit(batchSize)
        .for('update', { skipLocked: true });
      if (rows.length === 0) return { claimed: 0, published: 0, failed: 0 };
      const results = await Promise.allSettled(rows.map(publishRow));
      const sent = rows.filter((_, i) => results[i]?.status === 'fulfilled').map((r) => r.id);
      if (sent.length > 0) {
        await tx
          .update(outboxTable)
          .set({ publishedAt: dsql`now()`, attempts: dsql`${outboxTable.attempts} + 1`, lastError: null })
          .where(inArray(outboxTable.id, sent));
      }
      let failed = 0;
      for (const [i, result] of results.entries()) {
        if (result.status === 'fulfilled') continue;
        failed += 1;
        const row = rows[i] as OutboxRow;
        const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
        logger.warn({ eventId: row.id, subject: row.subject, attempts: row.attempts + 1, err: message }, 'publish failed, will retry');
        await tx
          .update(outboxTable)
          .set({ attempts: dsql`${outboxTable.attempts} + 1`, lastError: message.slice(0, 2000) })
          .where(eq(outboxTable.id, row.id));
      }
      return { claimed: rows.length, published: sent.length, failed };
    }).then(counted);
  }

  function idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function run(): Promise<void> {
    const outageDelays = backoff({ minMs: 50, maxMs: errorBackoffMs });
    while (running) {
      let result: BatchResult = { claimed: 0, published: 0, failed: 0 };
      try {
        result = await processBatch();
        outageDelays.reset();
        if (result.published > 0) logger.debug(result, 'outbox batch published');
      } catch (err) {
        result.failed = 1;
        if (options.availability?.report(err)) {
          await waitOut(options.availability, outageDelays, stopped.signal);
          continue;
        }
        logger.error({ err }, 'outbox batch failed');
      }
      if (!running) break;
      if (result.failed > 0) await idle(errorBackoffMs);
      else if (result.claimed < batchSize) await idle(pollIntervalMs);
    }
  }

  return {
    async start() {
      if (running) return;
      running = true;
      stopped = new AbortController();
      if (options.sql) {
        try {
          const sub = await options.sql.listen(outboxChannel, () => wake?.());
          unlisten = sub.unlisten;
        } catch (err) {
          logger.warn({ err }, 'LISTEN failed, relying on polling');
        }
      }
      loop = run();
      logger.info({ namespace, batchSize, pollIntervalMs }, 'outbox relay started');
    },
    async stop() {
      if (!running) return;
      running = false;
      stopped.abort();
      wake?.();
      await loop;
      await unlisten?.().catch(() => undefined);
      unlisten = undefined;
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
  };
}
