import { envelope, errorResponses, idParams, ok, type RouteRegistrar } from '@platform/http-kit';
import type { BillingDeps } from '../deps.js';
import { payInvoice } from '../use-cases/pay-invoice.js';
import { PayBody, PayHeaders, Payment } from './schemas.js';

/** `/invoices/:id/payments` (owner or admin, `Idempotency-Key` required). */
export const paymentRoutes: RouteRegistrar<BillingDeps> = (app, deps) => {
  app.post(
    '/invoices/:id/payments',
    {
      schema: {
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
};
