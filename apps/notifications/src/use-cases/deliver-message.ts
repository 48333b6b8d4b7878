import type { Tx } from '@platform/db-kit';
import { traceHeaders } from '@platform/tracing';
import { channelsFor } from '../domain/preferences.js';
import { render, templateCategory, type TemplateInput } from '../domain/templates.js';
import { notificationsRepository } from '../data/notifications-repository.js';
import { recipientsRepository, type MessageRecipient } from '../data/recipients-repository.js';
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
  build: (recipient: MessageRecipient | undefined) => TemplateInput,
  options: { email?: string } = {},
): Promise<Outcome> {
  // Two statements and the outbox (it was up to six): one read, one write for every channel.
  const { recipient, preferences } = await recipientsRepository(tx).findForMessage(source.userId);
  if (recipient && !recipient.active) return { inApp: false, email: false, skipped: 'inactive' };
  const input = build(recipient);
  const content = render(input);
  const channels = channelsFor(templateCategory[input.template], preferences);
  if (!channels.inApp && !channels.email) return { inApp: false, email: false };
  const written = await notificationsRepository(tx).insertMessage({
    userId: source.userId,
    template: input.template,
    title: content.title,
    body: content.body,
    sourceEventId: source.eventId,
    inApp: channels.inApp,
    email: channels.email
      ? {
          to: options.email ?? recipient?.email ?? null,
          subject: content.subject,
          text: content.text,
          html: content.html,
          correlationId: source.correlationId,
          traceContext: traceHeaders().traceparent ?? null,
        }
      : null,
  });
  if (written.inAppId) {
    const sent = { notificationId: written.inAppId, userId: source.userId, channel: 'in_app' as const, template: input.template };
    await notificationEvents.sent(tx, sent, source.correlationId);
  }
  return { inApp: written.inAppId !== null, email: written.email };
}
