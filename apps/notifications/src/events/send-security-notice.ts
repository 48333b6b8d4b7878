import { notificationsConsumers } from '@platform/contracts';
import { defineConsumer } from '@platform/service-kit';
import { countSkippedEmail } from '../metrics.js';
import { deliverMessage } from '../use-cases/deliver-message.js';

/** users.user.password_changed → security notice on both channels, whatever the preferences. */
export const sendSecurityNotice = defineConsumer(notificationsConsumers.sendSecurityNotice, {
  handler: async (event, tx, ctx) => {
    const { userId } = event.data;
    const outcome = await deliverMessage(tx, { eventId: event.id, correlationId: event.correlationId, userId }, (recipient) => ({
      template: 'password_changed',
      fullName: recipient?.fullName ?? null,
      changedAt: `${event.occurredAt.slice(0, 16).replace('T', ' ')} UTC`,
    }));
    ctx.logger.info({ userId, ...outcome }, 'security notice');
    countSkippedEmail(ctx.metrics, outcome);
  },
});
