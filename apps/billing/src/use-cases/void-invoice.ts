import { withTransaction } from '@platform/db-kit';
import { notFound, unprocessable } from '@platform/http-kit';
import { invoiceRepository, type InvoiceWithLines } from '../data/invoice-repository.js';
import type { BillingDeps } from '../deps.js';
import { transition } from '../domain/invoice-status.js';
import { billingEvents } from '../publisher.js';

/** A draft or issued invoice without payments → void, announced with `billing.invoice.voided.v1` (with payments: 422, refunds are out of scope). */
export function voidInvoice({ db }: Pick<BillingDeps, 'db'>, invoiceId: string, correlationId: string): Promise<InvoiceWithLines> {
  return withTransaction(db, async (tx) => {
    const invoices = invoiceRepository(tx);
    const current = await invoices.lock(invoiceId);
    if (!current) throw notFound('Invoice not found');
    const step = transition(current, 'void');
    if (!step.ok) throw unprocessable(step.reason);
    const voided = await invoices.update(current.id, { status: 'void' });
    await billingEvents.invoiceVoided(tx, voided, correlationId);
    return voided;
  });
}
