import { notificationsConsumers } from '@platform/contracts';
import { defineConsumer } from '@platform/service-kit';
import { countSkippedEmail } from '../metrics.js';
import { deliverMessage } from '../use-cases/deliver-message.js';

/** billing.payment.received → receipt with the amount (billing preferences apply). */
export const sendPaymentReceipt = defineConsumer(notificationsConsumers.sendPaymentReceipt, {
  handler: async (event, tx, ctx) => {
    const { userId, amountMinor, currency } = event.data;
    const outcome = await deliverMessage(tx, { eventId: event.id, correlationId: event.correlationId, userId }, (recipient) => ({
      template: 'payment_receipt',
      fullName: recipient?.fullName ?? null,
      amountMinor,
      currency,
    }));
    ctx.logger.info({ userId, paymentId: event.data.paymentId, ...outcome }, 'payment receipt');
    countSkippedEmail(ctx.metrics, outcome);
  },
});
