import { notificationsConsumers } from '@platform/contracts';
import { defineConsumer } from '@platform/service-kit';
import { countSkippedEmail } from '../metrics.js';
import { deliverMessage } from '../use-cases/deliver-message.js';

/** billing.invoice.issued → "invoice issued" with number, total and due date (billing preferences apply). */
export const notifyInvoiceIssued = defineConsumer(notificationsConsumers.notifyInvoiceIssued, {
  handler: async (event, tx, ctx) => {
    const { userId, number, totalMinor, currency, dueDate } = event.data;
    const outcome = await deliverMessage(tx, { eventId: event.id, correlationId: event.correlationId, userId }, (recipient) => ({
      template: 'invoice_issued',
      fullName: recipient?.fullName ?? null,
      number,
      totalMinor,
      currency,
      dueDate,
    }));
    ctx.logger.info({ userId, invoiceId: event.data.invoiceId, ...outcome }, 'invoice issued notification');
    countSkippedEmail(ctx.metrics, outcome);
  },
});
