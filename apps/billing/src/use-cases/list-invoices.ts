import type { PageQuery } from '@platform/db-kit';
import type { BillingDeps } from '../deps.js';
import { ownerFilter, type Caller } from '../domain/access.js';
import type { InvoiceStatus } from '../domain/invoice-status.js';

/** Invoices newest first: the caller's own, or every one for an admin. */
export function listInvoices({ invoiceReads }: Pick<BillingDeps, 'invoiceReads'>, caller: Caller, query: PageQuery & { status?: InvoiceStatus }) {
  const { page, pageSize, status } = query;
  return invoiceReads.page({ page, pageSize }, { status, userId: ownerFilter(caller) });
}
