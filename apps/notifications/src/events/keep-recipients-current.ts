import { notificationsConsumers, userDeactivatedV1, userRegisteredV1 } from '@platform/contracts';
import type { Tx } from '@platform/db-kit';
import { deliveriesRepository } from '../data/deliveries-repository.js';
import { preferencesRepository } from '../data/preferences-repository.js';
import { recipientsRepository } from '../data/recipients-repository.js';
import { notificationEvents } from '../publisher.js';
import { defineConsumer } from '@platform/service-kit';

export const deactivatedReason = 'recipient deactivated';

/**
 * users.user.registered / updated / deactivated → the recipient row (address, name, role, active),
 * default preferences at registration. Events are applied only when newer than the last one
 * applied (`occurredAt`), so a late or replayed old event never overwrites a newer address.
 * A deactivated user gets nothing more: their pending e-mails are settled as failed.
 */
export const keepRecipientsCurrent = defineConsumer(notificationsConsumers.keepRecipientsCurrent, {
  // Everything a handler touches belongs to its user (recipient, preferences, their deliveries):
  // different users' statements are pipelined in the batch; one user's events stay in order.
  concurrencyKey: (event) => event.data.userId,
  handler: async (event, tx, ctx) => {
    const occurredAt = new Date(event.occurredAt);
    const recipients = recipientsRepository(tx);
    if (event.type === userDeactivatedV1.type) {
      if (await recipients.deactivateIfNewer(event.data.userId, occurredAt)) {
        const cancelled = await cancelPending(tx, event.data.userId, event.correlationId);
        ctx.logger.info({ userId: event.data.userId, cancelled }, 'recipient deactivated');
      }
      return;
    }
    const { userId, email, fullName, role, isActive } = event.data;
    if (event.type === userRegisteredV1.type) await preferencesRepository(tx).createDefaults(userId);
    const snapshot = { userId, email, fullName, role, active: isActive, occurredAt };
    if (isActive) {
      // The pending e-mails follow a new address in the same transaction (the recipients triggers),
      // and nothing depends on the answer: it goes out with the COMMIT (a failure still blames
      // this event).
      ctx.sendWithCommit(recipients.upsertStatement(snapshot));
      return;
    }
    if (!(await recipients.upsertIfNewer(snapshot))) {
      ctx.logger.debug({ userId }, 'older users event ignored');
      return;
    }
    await cancelPending(tx, userId, event.correlationId);
  },
});

async function cancelPending(tx: Tx, userId: string, correlationId: string): Promise<number> {
  const failed = await deliveriesRepository(tx).failPendingOf(userId, deactivatedReason);
  for (const delivery of failed) {
    await notificationEvents.failed(tx, { notificationId: delivery.notificationId, userId, channel: 'email', template: delivery.template }, deactivatedReason, correlationId);
  }
  return failed.length;
}
