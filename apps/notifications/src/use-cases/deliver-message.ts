import type { Tx } from '@platform/db-kit';
import { traceHeaders } from '@platform/tracing';
import { channelsFor } from '../domain/preferences.js';
import { render, templateCategory, type TemplateInput } from '../domain/templates.js';
import { deliveriesRepository } from '../data/deliveries-repository.js';
import { notificationsRepository } from '../data/notifications-repository.js';
import { preferencesRepository } from '../data/preferences-repository.js';
import { recipientsRepository } from '../data/recipients-repository.js';
import type { RecipientRow } from '../data/schema.js';
import { notificationEvents } from '../publisher.js';

export interface MessageSource {
  /** The event that caused the message: with channel and template, its unique key. */
  eventId: string;
  correlationId: string;
  userId: string;
}

export type Outcome = { inApp: boolean; email: boolean; skipped?: 'inactive' };

/**
 * The one way a consumer notifies someone, inside its inbox transaction: checks the recipient is
 * active, applies preferences, writes the in-app notification (announced as sent at once) and the
 * e-mail notification + pending delivery (sent later by the delivery sender).
 *
 * An unknown recipient (the invoice arrived before the registration) still gets the message: the
 * delivery waits with no address, and the registration fills it in (see keep-recipients-current).
 */
export async function deliverMessage(
  tx: Tx,
  source: MessageSource,
  build: (recipient: RecipientRow | undefined) => TemplateInput,
  options: { email?: string } = {},
): Promise<Outcome> {
  const recipient = await recipientsRepository(tx).find(source.userId);
  if (recipient && !recipient.active) return { inApp: false, email: false, skipped: 'inactive' };
  const input = build(recipient);
  const content = render(input);
  const prefs = await preferencesRepository(tx).get(source.userId);
  const channels = channelsFor(templateCategory[input.template], prefs);
  const notifications = notificationsRepository(tx);
  const common = { userId: source.userId, template: input.template, title: content.title, body: content.body, sourceEventId: source.eventId };
  const outcome: Outcome = { inApp: false, email: false };

  if (channels.inApp) {
    const row = await notifications.insertOnce({ ...common, channel: 'in_app' });
    if (row) {
      outcome.inApp = true;
      await notificationEvents.sent(tx, { notificationId: row.id, userId: row.userId, channel: 'in_app', template: row.template }, source.correlationId);
    }
  }
  if (channels.email) {
    const row = await notifications.insertOnce({ ...common, channel: 'email' });
    if (row) {
      await deliveriesRepository(tx).insertOnce({
        notificationId: row.id,
        userId: source.userId,
        to: options.email ?? recipient?.email ?? null,
        template: input.template,
        subject: content.subject,
        text: content.text,
        html: content.html,
        sourceEventId: source.eventId,
        correlationId: source.correlationId,
        traceContext: traceHeaders().traceparent ?? null,
      });
      outcome.email = true;
    }
  }
  return outcome;
}
