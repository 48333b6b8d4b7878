import { notificationFailedV1, notificationSentV1 } from '@platform/contracts';
import type { Db } from '@platform/db-kit';
import type { Logger } from '@platform/logging';
import { enqueueEvent } from '@platform/messaging';
import type { MailConfig } from '../config.js';
import { deliveriesRepository } from '../data/deliveries-repository.js';
import type { DeliveryRow } from '../data/schema.js';
import { isPermanentSmtpError, retryDelayMs } from '../domain/retry.js';
import type { MailTransport } from './transport.js';

export interface DeliverySender {
  start(): void;
  /** Stops claiming, lets the sends in flight settle, closes the transport. */
  stop(): Promise<void>;
}

const maxReasonLength = 2_000;

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message || 'unknown error').slice(0, maxReasonLength);
}

/**
 * Sends pending deliveries, apart from the consumers so a slow SMTP server never holds up event
 * processing. Each round claims due rows (SKIP LOCKED + a lease longer than the send timeout),
 * sends them concurrently, and settles each one in a transaction with its outbox event:
 * `sent` → notifications.notification.sent; the last failed attempt or a permanent 5xx →
 * `failed` + notifications.notification.failed; otherwise it is retried after a backoff.
 * Pending rows survive restarts: the first round after start picks them up.
 */
export function createDeliverySender(deps: { db: Db; transport: MailTransport; config: MailConfig; logger: Logger }): DeliverySender {
  const { db, transport, config } = deps;
  const logger = deps.logger.child({ component: 'delivery-sender' });
  const leaseMs = config.sendTimeoutMs * 2 + 5_000;
  let loop: Promise<void> | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;

  async function settle(delivery: DeliveryRow): Promise<void> {
    const log = logger.child({ deliveryId: delivery.id, correlationId: delivery.correlationId, attempt: delivery.attempts });
    const fields = { notificationId: delivery.notificationId, userId: delivery.userId, channel: 'email' as const, template: delivery.template };
    try {
      // claimDue only takes rows with an address; the check keeps the type honest.
      if (!delivery.to) throw new Error('delivery has no address');
      await transport.send({ deliveryId: delivery.id, to: delivery.to, subject: delivery.subject, text: delivery.text, html: delivery.html });
    } catch (error) {
      const reason = reasonOf(error);
      const final = isPermanentSmtpError(error) || delivery.attempts >= config.maxAttempts;
      if (!final) {
        const delayMs = retryDelayMs(delivery.attempts, config.retryBaseMs, config.retryMaxMs);
        await deliveriesRepository(db).retryLater(delivery.id, reason, delayMs);
        log.warn({ reason, retryInMs: delayMs }, 'e-mail send failed, will retry');
        return;
      }
      await db.transaction(async (tx) => {
        if (await deliveriesRepository(tx).markFailed(delivery.id, reason)) {
          await enqueueEvent(tx, notificationFailedV1, { ...fields, reason }, { correlationId: delivery.correlationId });
        }
      });
      log.error({ reason }, 'e-mail delivery failed for good');
      return;
    }
    await db.transaction(async (tx) => {
      if (await deliveriesRepository(tx).markSent(delivery.id)) {
        await enqueueEvent(tx, notificationSentV1, fields, { correlationId: delivery.correlationId });
      }
    });
    log.info('e-mail sent');
  }

  async function round(): Promise<number> {
    const claimed = await deliveriesRepository(db).claimDue(config.batchSize, leaseMs);
    // A settle failing on the database leaves its row leased: it is retried once the lease ends.
    const results = await Promise.allSettled(claimed.map(settle));
    for (const r of results) if (r.status === 'rejected') logger.error({ err: r.reason }, 'could not settle a delivery');
    return claimed.length;
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    while (!stopping) {
      let claimed = 0;
      try {
        claimed = await round();
      } catch (err) {
        logger.error({ err }, 'delivery round failed');
      }
      // A full batch means more may be due: go again at once.
      if (!stopping && claimed < config.batchSize) await pause(config.pollIntervalMs);
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
      logger.info({ transport: transport.kind, target: transport.target }, 'delivery sender started');
    },
    async stop() {
      if (!loop) return;
      stopping = true;
      wake?.();
      await loop;
      loop = undefined;
      transport.close();
      logger.info('delivery sender stopped');
    },
  };
}
