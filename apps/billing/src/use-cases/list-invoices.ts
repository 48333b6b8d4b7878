import type { PageQuery } from '@platform/db-kit';
import { invoiceRepository } from '../data/invoice-repository.js';
import type { BillingDeps } from '../deps.js';
import { ownerFilter, type Caller } from '../domain/access.js';
import type { InvoiceStatus } from '../domain/invoice-status.js';

/** Invoices newest first: the caller's own, or every one for an admin. */
export function listInvoices({ db }: Pick<BillingDeps, 'db'>, caller: Caller, query: PageQuery & { status?: InvoiceStatus }) {
  const { page, pageSize, status } = query;
  return invoiceRepository(db).page({ page, pageSize }, { status, userId: ownerFilter(caller) });
}
