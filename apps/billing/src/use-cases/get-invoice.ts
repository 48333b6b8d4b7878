import { notFound } from '@platform/http-kit';
import type { BillingDeps } from '../deps.js';
import { ownerFilter, type Caller } from '../domain/access.js';
import type { InvoiceView } from '../domain/invoice.js';

/** One invoice for its owner or an admin; anyone else gets the same 404 as for a missing one. */
export async function getInvoice({ invoiceReads }: Pick<BillingDeps, 'invoiceReads'>, caller: Caller, invoiceId: string): Promise<InvoiceView> {
  const invoice = await invoiceReads.find(invoiceId, { userId: ownerFilter(caller) });
  if (!invoice) throw notFound('Invoice not found');
  return invoice;
}
