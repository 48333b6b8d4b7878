import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor, staleTokenCheck } from '@platform/service-kit';
import type { NotificationsConfig } from './config.js';
import * as schema from './data/schema.js';
import { notificationsDeps } from './deps.js';
import { keepRecipientsCurrent } from './events/keep-recipients-current.js';
import { notifyInvoiceIssued } from './events/notify-invoice-issued.js';
import { sendPaymentReceipt } from './events/send-payment-receipt.js';
import { sendSecurityNotice } from './events/send-security-notice.js';
import { sendWelcomeMessage } from './events/send-welcome-message.js';
import { notificationsRoutes } from './routes/index.js';
import { deliverySenderWorker } from './workers/delivery-sender.js';
import { notificationsRetention } from './workers/retention.js';

export interface BuildNotificationsOptions {
  logger?: Logger;
}

const recipients = schema.recipients;

/** The notifications service as a Fastify app; `main.ts` serves it, tests inject into it. */
export async function buildApp(config: NotificationsConfig, options: BuildNotificationsOptions = {}) {
  const { app } = await createService({
    config,
    logger: options.logger,
    schema,
    migrationsFolder: migrationsFolderFor(import.meta.url),
    openapi: { title: 'Notifications service', version: '1.0.0', description: 'In-app notifications, preferences and e-mail deliveries.' },
    // A token of a user we know to be deactivated, or issued before their role changed, is refused here too (docs/contract.md §3).
    isRevoked: staleTokenCheck({ table: recipients, userId: recipients.userId, isActive: recipients.active, role: recipients.role, roleSince: recipients.lastEventAt }),
    deps: notificationsDeps,
    consumers: () => [keepRecipientsCurrent, sendWelcomeMessage, sendSecurityNotice, notifyInvoiceIssued, sendPaymentReceipt],
    // The sender runs apart from the consumers, so a slow SMTP server never holds up event processing.
    workers: (deps) => [notificationsRetention(deps), deliverySenderWorker(deps, config.mail)],
    routes: notificationsRoutes,
  });
  return app;
}
