import { withTransaction } from '@platform/db-kit';
import { notFound, unprocessable } from '@platform/http-kit';
import { invoiceRepository, type InvoiceWithLines } from '../data/invoice-repository.js';
import type { BillingDeps } from '../deps.js';
import { transition } from '../domain/invoice-status.js';
import { billingEvents } from '../publisher.js';

/** draft → issued, announced with `billing.invoice.issued.v1`; an invoice of nothing is settled at once (`paid` + `billing.invoice.paid.v1`). */
export function issueInvoice({ db }: Pick<BillingDeps, 'db'>, invoiceId: string, correlationId: string): Promise<InvoiceWithLines> {
  return withTransaction(db, async (tx) => {
    const invoices = invoiceRepository(tx);
    const current = await invoices.lock(invoiceId);
    if (!current) throw notFound('Invoice not found');
    const step = transition(current, 'issue');
    if (!step.ok) throw unprocessable(step.reason);
    const now = new Date();
    const settled = current.totalMinor === 0;
    const issued = await invoices.update(current.id, { status: settled ? 'paid' : 'issued', issuedAt: now, paidAt: settled ? now : null });
    await billingEvents.invoiceIssued(tx, issued, correlationId);
    if (settled) await billingEvents.invoicePaid(tx, issued, correlationId);
    return issued;
  });
}
