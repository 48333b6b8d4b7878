import { refuseStaleTokens } from '@platform/http-kit';
import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor, retentionWorker } from '@platform/service-kit';
import type { NotificationsConfig } from './config.js';
import { prepareKnownRecipient } from './data/recipients-repository.js';
import * as schema from './data/schema.js';
import { keepRecipientsCurrent } from './events/keep-recipients-current.js';
import { notifyInvoiceIssued } from './events/notify-invoice-issued.js';
import { sendPaymentReceipt } from './events/send-payment-receipt.js';
import { sendSecurityNotice } from './events/send-security-notice.js';
import { sendWelcomeMessage } from './events/send-welcome-message.js';
import { createDeliverySender } from './mail/delivery-sender.js';
import { createMailTransport } from './mail/transport.js';
import { deliveriesRoutes } from './routes/deliveries-routes.js';
import { notificationsRoutes } from './routes/notifications-routes.js';
import { preferencesRoutes } from './routes/preferences-routes.js';

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
    // Deliveries and notifications are the service's records; only outbox and inbox rows expire.
    workers: (ctx) => [retentionWorker(ctx)],
    routes: (app, ctx) => {
      notificationsRoutes(app, ctx.db);
      preferencesRoutes(app, ctx.db);
      deliveriesRoutes(app, ctx.db);

      const transport = createMailTransport(config.mail, ctx.logger);
      ctx.logger.info(
        { transport: transport.kind, target: transport.target },
        transport.kind === 'smtp' ? `e-mail goes out over SMTP (${transport.target})` : `no SMTP_URL: e-mails are recorded as .eml files in ${transport.target}`,
      );
      const sender = createDeliverySender({ db: ctx.db, transport, config: config.mail, logger: ctx.logger, availability: ctx.availability.postgres, metrics: ctx.metrics });
      sender.start();
      // onClose hooks run last-registered first: the sender stops before the pool it uses closes.
      app.addHook('onClose', () => sender.stop());
    },
  });
  return app;
}
