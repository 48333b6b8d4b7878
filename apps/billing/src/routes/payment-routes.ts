import { envelope, errorResponses, ok, requireAuth, type HttpApp } from '@platform/http-kit';
import type { BillingDeps } from '../deps.js';
import { payInvoice } from '../use-cases/pay-invoice.js';
import { idParams, PayBody, PayHeaders, Payment } from './schemas.js';

export function paymentRoutes(app: HttpApp, deps: BillingDeps): void {
  app.post(
    '/api/v1/billing/invoices/:id/payments',
    {
      onRequest: [requireAuth()],
      schema: {
        tags: ['billing'],
        summary: 'Pay an issued invoice (owner or admin); Idempotency-Key required, replays answer 200 with the same payment',
        params: idParams,
        headers: PayHeaders,
        body: PayBody,
        response: { 200: envelope(Payment), 201: envelope(Payment), ...errorResponses(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { replayed, payment } = await payInvoice(
        deps,
        request.user,
        { invoiceId: request.params.id, idempotencyKey: request.headers['idempotency-key'], ...request.body },
        request.id,
      );
      if (replayed) return ok(reply, payment, 'Payment already recorded for this Idempotency-Key');
      reply.code(201);
      return ok(reply, payment, 'Payment received');
    },
  );
}
