import type { Db } from '@platform/db-kit';
import type { Logger } from '@platform/logging';
import type { Metrics } from '@platform/metrics';
import { backoff, pause, waitOut, type DependencyMonitor } from '@platform/resilience';
import type { ServiceContext, ServiceWorker } from '@platform/service-kit';
import { SpanKind, extractContext, withSpan } from '@platform/tracing';
import type { MailConfig } from '../config.js';
import { deliveriesRepository } from '../data/deliveries-repository.js';
import type { DeliveryRow } from '../data/schema.js';
import { isPermanentSmtpError, retryDelayMs } from '../domain/retry.js';
import { emailOutcomes } from '../metrics.js';
import { notificationEvents } from '../publisher.js';
import { createMailTransport, type MailTransport } from './mail-transport.js';

/** A service worker (`/ready` check `delivery-sender`): `stop` stops claiming, lets the sends in flight settle, closes the transport. */
export interface DeliverySender extends ServiceWorker {
  start(): void;
  check(): void;
}

export interface DeliverySenderDeps {
  db: Db;
  transport: MailTransport;
  config: MailConfig;
  logger: Logger;
  /** The database's monitor: an outcome that cannot be recorded waits for it instead of being lost. */
  availability: DependencyMonitor;
  /** On stop, how long outcomes still unrecorded (database down) keep being retried. */
  recordGraceMs?: number;
  /** The service's registry: `notifications_emails_total{outcome}` (sent, failed). */
  metrics?: Metrics;
}

/** What one attempt came to; recorded on the row (and as an event) afterwards. */
type Outcome = { kind: 'sent' } | { kind: 'retry'; reason: string; delayMs: number } | { kind: 'failed'; reason: string };

const maxReasonLength = 2_000;

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message || 'unknown error').slice(0, maxReasonLength);
}

/**
 * Sends pending deliveries, apart from the consumers so a slow SMTP server never holds up event
 * processing. Each round claims due rows (SKIP LOCKED + a lease longer than the send timeout),
 * sends them concurrently, and records each outcome in a transaction with its outbox event:
 * `sent` → notifications.notification.sent; the last failed attempt or a permanent 5xx →
 * `failed` + notifications.notification.failed; otherwise it is retried after a backoff.
 *
 * Once SMTP accepted a message, its outcome is kept and the recording retried until it lands
 * (the database may be restarting): were it dropped, the lease would lapse and the e-mail go out
 * twice. Meanwhile this sender never claims that row again. Pending rows survive restarts.
 */
export function createDeliverySender(deps: DeliverySenderDeps): DeliverySender {
  const { db, transport, config, availability } = deps;
  const countEmail = emailOutcomes(deps.metrics);
  const logger = deps.logger.child({ component: 'delivery-sender' });
  const leaseMs = config.sendTimeoutMs * 2 + 5_000;
  const recordGraceMs = deps.recordGraceMs ?? 3_000;
  /** Deliveries sent (or failed) whose outcome is not recorded yet: not to be claimed again. */
  const unrecorded = new Set<string>();
  let loop: Promise<void> | undefined;
  let stopping = new AbortController();
  let givingUp = new AbortController();

  async function attempt(delivery: DeliveryRow): Promise<Outcome> {
    try {
      // claimDue only takes rows with an address; the check keeps the type honest.
      if (!delivery.to) throw new Error('delivery has no address');
      const to = delivery.to;
      // A CLIENT span under the event handling that queued the delivery (none when it was not traced).
      await withSpan(
        'smtp send',
        { kind: SpanKind.CLIENT, parent: extractContext({ traceparent: delivery.traceContext ?? undefined }), childOnly: true, attributes: { 'notifications.delivery.id': delivery.id, 'notifications.template': delivery.template } },
        () => transport.send({ deliveryId: delivery.id, to, subject: delivery.subject, text: delivery.text, html: delivery.html }),
      );
      return { kind: 'sent' };
    } catch (error) {
      const reason = reasonOf(error);
      if (isPermanentSmtpError(error) || delivery.attempts >= config.maxAttempts) return { kind: 'failed', reason };
      return { kind: 'retry', reason, delayMs: retryDelayMs(delivery.attempts, config.retryBaseMs, config.retryMaxMs) };
    }
  }

  async function write(delivery: DeliveryRow, outcome: Outcome): Promise<void> {
    const ref = { notificationId: delivery.notificationId, userId: delivery.userId, channel: 'email' as const, template: delivery.template };
    if (outcome.kind === 'retry') {
      await deliveriesRepository(db).retryLater(delivery.id, outcome.reason, outcome.delayMs);
      return;
    }
    await db.transaction(async (tx) => {
      if (outcome.kind === 'sent') {
        if (await deliveriesRepository(tx).markSent(delivery.id)) {
          await notificationEvents.sent(tx, ref, delivery.correlationId);
        }
      } else if (await deliveriesRepository(tx).markFailed(delivery.id, outcome.reason)) {
        await notificationEvents.failed(tx, ref, outcome.reason, delivery.correlationId);
      }
    });
  }

  /** Records the outcome, waiting out a database outage; false only if stop's grace ran out first. */
  async function record(delivery: DeliveryRow, outcome: Outcome, log: Logger): Promise<boolean> {
    const delays = backoff({ minMs: 100, maxMs: 2_000 });
    unrecorded.add(delivery.id);
    try {
      for (;;) {
        try {
          await write(delivery, outcome);
          return true;
        } catch (err) {
          if (!availability.report(err)) throw err;
          log.warn({ outcome: outcome.kind, reason: String(err) }, 'database unavailable: outcome kept, recording it once it is back');
          if (!(await waitOut(availability, delays, givingUp.signal))) {
            log.error({ outcome: outcome.kind }, 'stopped before the outcome could be recorded: this e-mail may be sent again');
            return false;
          }
        }
      }
    } finally {
      unrecorded.delete(delivery.id);
    }
  }

  async function settle(delivery: DeliveryRow): Promise<void> {
    const log = logger.child({ deliveryId: delivery.id, correlationId: delivery.correlationId, attempt: delivery.attempts });
    const outcome = await attempt(delivery);
    if (!(await record(delivery, outcome, log))) return;
    if (outcome.kind !== 'retry') countEmail(outcome.kind);
    if (outcome.kind === 'sent') log.info('e-mail sent');
    else if (outcome.kind === 'retry') log.warn({ reason: outcome.reason, retryInMs: outcome.delayMs }, 'e-mail send failed, will retry');
    else log.error({ reason: outcome.reason }, 'e-mail delivery failed for good');
  }

  async function round(): Promise<number> {
    const claimed = await deliveriesRepository(db).claimDue(config.batchSize, leaseMs, [...unrecorded]);
    const results = await Promise.allSettled(claimed.map(settle));
    for (const r of results) if (r.status === 'rejected') logger.error({ err: r.reason }, 'could not settle a delivery');
    return claimed.length;
  }

  async function run(): Promise<void> {
    const outageDelays = backoff({ minMs: 100, maxMs: config.pollIntervalMs });
    while (!stopping.signal.aborted) {
      let claimed = 0;
      try {
        claimed = await round();
        outageDelays.reset();
      } catch (err) {
        if (availability.report(err)) {
          await waitOut(availability, outageDelays, stopping.signal);
          continue;
        }
        logger.error({ err }, 'delivery round failed');
      }
      // A full batch means more may be due: go again at once.
      if (claimed < config.batchSize) await pause(config.pollIntervalMs, stopping.signal);
    }
  }

  return {
    name: 'delivery-sender',
    start() {
      if (loop) return;
      stopping = new AbortController();
      givingUp = new AbortController();
      loop = run();
      logger.info({ transport: transport.kind, target: transport.target }, 'delivery sender started');
    },
    async stop() {
      if (!loop) return;
      stopping.abort();
      // Outcomes still waiting for the database get a short grace, then the shutdown goes on.
      const grace = setTimeout(() => givingUp.abort(), recordGraceMs);
      await loop;
      clearTimeout(grace);
      loop = undefined;
      transport.close();
      logger.info('delivery sender stopped');
    },
    check() {
      if (!loop) throw new Error('the delivery sender is not running');
    },
  };
}

/** The sender over the configured transport (SMTP, or `.eml` files without `SMTP_URL`): one of createService's workers. */
export function deliverySenderWorker(ctx: Pick<ServiceContext, 'db' | 'logger' | 'availability' | 'metrics'>, mail: MailConfig): DeliverySender {
  const transport = createMailTransport(mail, ctx.logger);
  ctx.logger.info(
    { transport: transport.kind, target: transport.target },
    transport.kind === 'smtp' ? `e-mail goes out over SMTP (${transport.target})` : `no SMTP_URL: e-mails are recorded as .eml files in ${transport.target}`,
  );
  return createDeliverySender({ db: ctx.db, transport, config: mail, logger: ctx.logger, availability: ctx.availability.postgres, metrics: ctx.metrics });
}
