import { refuseStaleTokens } from '@platform/http-kit';
import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor } from '@platform/service-kit';
import type { NotificationsConfig } from './config.js';
import { prepareKnownRecipient } from './data/recipients-repository.js';
import * as schema from './data/schema.js';
import type { NotificationsDeps } from './deps.js';
import { keepRecipientsCurrent } from './events/keep-recipients-current.js';
import { notifyInvoiceIssued } from './events/notify-invoice-issued.js';
import { sendPaymentReceipt } from './events/send-payment-receipt.js';
import { sendSecurityNotice } from './events/send-security-notice.js';
import { sendWelcomeMessage } from './events/send-welcome-message.js';
import { deliveriesRoutes } from './routes/deliveries-routes.js';
import { notificationsRoutes } from './routes/notifications-routes.js';
import { preferencesRoutes } from './routes/preferences-routes.js';
import { deliverySenderWorker } from './workers/delivery-sender.js';
import { notificationsRetention } from './workers/retention.js';

export interface BuildNotificationsOptions {
  logger?: Logger;
}

/** The notifications service as a Fastify app; `main.ts` serves it, tests inject into it. */
export async function buildApp(config: NotificationsConfig, options: BuildNotificationsOptions = {}) {
  const { app } = await createService({
    config,
    logger: options.logger,
    schema,
    migrationsFolder: migrationsFolderFor(import.meta.url),
    openapi: { title: 'Notifications service', version: '1.0.0', description: 'In-app notifications, preferences and e-mail deliveries.' },
    // A token of a user we know to be deactivated, or issued before their role changed, is refused here too (docs/contract.md §3).
    isRevoked: (ctx) => refuseStaleTokens(prepareKnownRecipient(ctx.db)),
    consumers: () => [keepRecipientsCurrent, sendWelcomeMessage, sendSecurityNotice, notifyInvoiceIssued, sendPaymentReceipt],
    workers: (ctx) => [notificationsRetention(ctx), deliverySenderWorker(ctx, config.mail)],
    routes: (app, ctx) => {
      const deps: NotificationsDeps = { db: ctx.db };
      notificationsRoutes(app, deps);
      preferencesRoutes(app, deps);
      deliveriesRoutes(app, deps);
    },
  });
  return app;
}
