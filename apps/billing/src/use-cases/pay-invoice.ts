import { withTransaction } from '@platform/db-kit';
import { conflict, notFound, unprocessable } from '@platform/http-kit';
import { billingUserRepository } from '../data/billing-user-repository.js';
import { idempotencyRepository } from '../data/idempotency-repository.js';
import { invoiceRepository } from '../data/invoice-repository.js';
import { paymentRepository, type PaymentRow } from '../data/payment-repository.js';
import type { BillingDeps } from '../deps.js';
import { isAdmin, type Caller } from '../domain/access.js';
import { requestHash } from '../domain/idempotency.js';
import { checkPayment } from '../domain/invoice-status.js';
import { billingEvents } from '../publisher.js';

export type PaymentMethod = PaymentRow['method'];

/** A payment as answered, and as stored with its Idempotency-Key for replays. */
export interface PaymentView {
  id: string;
  invoiceId: string;
  amountMinor: number;
  currency: string;
  method: PaymentMethod;
  createdAt: string;
}

export interface PayInvoiceInput {
  invoiceId: string;
  idempotencyKey: string;
  amountMinor: number;
  method: PaymentMethod;
}

export type PayInvoiceOutcome = { replayed: boolean; payment: PaymentView };

const toPaymentView = (row: PaymentRow): PaymentView => ({
  id: row.id,
  invoiceId: row.invoiceId,
  amountMinor: row.amountMinor,
  currency: row.currency,
  method: row.method,
  createdAt: row.createdAt.toISOString(),
});

/**
 * Pays an issued invoice (its owner or an admin), once per (caller, Idempotency-Key). One
 * transaction for key, lock, payment, invoice, events and stored response: a failure (404, 422)
 * rolls the key back with everything else, so only a real payment is remembered and a corrected
 * retry with the same key works. The key is bound to a hash of method, path and body: the same
 * key with another request → 409; with the same one → the first payment again (`replayed`).
 */
export async function payInvoice({ db }: Pick<BillingDeps, 'db'>, caller: Caller, input: PayInvoiceInput, correlationId: string): Promise<PayInvoiceOutcome> {
  const invoiceId = input.invoiceId.toLowerCase();
  const { idempotencyKey: key, amountMinor, method } = input;
  const hash = requestHash('POST', `/api/v1/billing/invoices/${invoiceId}/payments`, { amountMinor, method });

  return withTransaction(db, async (tx) => {
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
    const check = checkPayment(invoice, amountMinor);
    if (!check.ok) throw unprocessable(check.reason);

    const row = await paymentRepository(tx).insert({
      invoiceId: invoice.id,
      userId: invoice.userId,
      createdBy: caller.sub,
      amountMinor,
      currency: invoice.currency,
      method,
    });
    await invoices.recordPayment(invoice.id, invoice.amountPaidMinor + row.amountMinor, check.settles ? new Date() : null);
    await billingEvents.paymentReceived(tx, row, correlationId);
    if (check.settles) await billingEvents.invoicePaid(tx, invoice, correlationId);
    const payment = toPaymentView(row);
    await keys.complete(caller.sub, key, payment);
    return { replayed: false, payment };
  });
}
