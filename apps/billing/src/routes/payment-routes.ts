import { invoicePaidV1, paymentReceivedV1 } from '@platform/contracts';
import { withTransaction, type DbOrTx } from '@platform/db-kit';
import { conflict, envelope, errorResponses, notFound, ok, requireAuth, unprocessable, type HttpApp } from '@platform/http-kit';
import { enqueueEvent } from '@platform/messaging';
import { z } from 'zod';
import { billingUserRepository } from '../data/billing-user-repository.js';
import { idempotencyRepository } from '../data/idempotency-repository.js';
import { invoiceRepository } from '../data/invoice-repository.js';
import { paymentRepository, type PaymentRow } from '../data/payment-repository.js';
import { IDEMPOTENCY_KEY_PATTERN, requestHash } from '../domain/idempotency.js';
import { checkPayment } from '../domain/invoice-status.js';
import { moneyMinorSchema } from '../domain/money.js';
import { idParams, isAdmin, iso } from './access.js';

const Payment = z.object({
  id: z.uuid(),
  invoiceId: z.uuid(),
  amountMinor: z.number().int(),
  currency: z.string(),
  method: z.enum(['card', 'bank_transfer', 'cash']),
  createdAt: z.string(),
});
type PaymentView = z.infer<typeof Payment>;

const PayBody = z.strictObject({
  amountMinor: moneyMinorSchema.min(1, 'must be at least 1'),
  method: z.enum(['card', 'bank_transfer', 'cash']),
});

// Loose: the validated object replaces request.headers, so every other header must survive.
const PayHeaders = z.looseObject({
  'idempotency-key': z.string({ error: 'Idempotency-Key header is required' }).regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1..255 printable ASCII characters'),
});

const toPayment = (row: PaymentRow): PaymentView => ({
  id: row.id,
  invoiceId: row.invoiceId,
  amountMinor: row.amountMinor,
  currency: row.currency,
  method: row.method,
  createdAt: iso(row.createdAt) as string,
});

type Outcome = { replayed: false; payment: PaymentView } | { replayed: true; payment: PaymentView };

export function paymentRoutes(app: HttpApp, db: DbOrTx): void {
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
      const caller = request.user;
      const key = request.headers['idempotency-key'];
      const invoiceId = request.params.id.toLowerCase();
      const hash = requestHash('POST', `/api/v1/billing/invoices/${invoiceId}/payments`, request.body);

      // One transaction for key, lock, payment, invoice, events and stored response: a failure
      // (404, 422) rolls the key back with everything else, so only a real payment is remembered.
      const outcome = await withTransaction(db, async (tx): Promise<Outcome> => {
        const keys = idempotencyRepository(tx);
        if (!(await keys.claim(caller.sub, key, hash))) {
          const stored = await keys.find(caller.sub, key);
          if (!stored || stored.requestHash !== hash) throw conflict('This Idempotency-Key was already used with another request');
          return { replayed: true, payment: stored.response as PaymentView };
        }
        const invoices = invoiceRepository(tx);
        const invoice = await invoices.lock(invoiceId);
        if (!invoice || (!isAdmin(caller) && invoice.userId !== caller.sub)) throw notFound('Invoice not found');
        const owner = await billingUserRepository(tx).find(invoice.userId);
        if (owner && !owner.isActive) throw unprocessable('The invoice owner is deactivated');
        const check = checkPayment(invoice, request.body.amountMinor);
        if (!check.ok) throw unprocessable(check.reason);

        const row = await paymentRepository(tx).insert({
          invoiceId: invoice.id,
          userId: invoice.userId,
          createdBy: caller.sub,
          amountMinor: request.body.amountMinor,
          currency: invoice.currency,
          method: request.body.method,
        });
        await invoices.recordPayment(invoice.id, invoice.amountPaidMinor + row.amountMinor, check.settles ? new Date() : null);
        const correlationId = request.id;
        await enqueueEvent(
          tx,
          paymentReceivedV1,
          { paymentId: row.id, invoiceId: invoice.id, userId: invoice.userId, amountMinor: row.amountMinor, currency: row.currency },
          { correlationId },
        );
        if (check.settles) {
          await enqueueEvent(tx, invoicePaidV1, { invoiceId: invoice.id, userId: invoice.userId, currency: invoice.currency, totalMinor: invoice.totalMinor }, { correlationId });
        }
        const payment = toPayment(row);
        await keys.complete(caller.sub, key, 201, payment);
        return { replayed: false, payment };
      });

      if (outcome.replayed) return ok(reply, outcome.payment, 'Payment already recorded for this Idempotency-Key');
      reply.code(201);
      return ok(reply, outcome.payment, 'Payment received');
    },
  );
}
