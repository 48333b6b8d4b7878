import { notificationsConsumers } from '@platform/contracts';
import { defineConsumer } from '@platform/service-kit';
import { countSkippedEmail } from '../metrics.js';
import { deliverMessage } from '../use-cases/deliver-message.js';

/** users.user.registered → welcome, in-app and by e-mail (an account message: preferences do not apply). */
export const sendWelcomeMessage = defineConsumer(notificationsConsumers.sendWelcomeMessage, {
  handler: async (event, tx, ctx) => {
    const { userId, email, fullName, isActive } = event.data;
    if (!isActive) return;
    const outcome = await deliverMessage(
      tx,
      { eventId: event.id, correlationId: event.correlationId, userId },
      () => ({ template: 'welcome', fullName }),
      { email }, // the event carries the address; the recipient row may not be written yet
    );
    ctx.logger.info({ userId, ...outcome }, 'welcome message');
    countSkippedEmail(ctx.metrics, outcome);
  },
});
