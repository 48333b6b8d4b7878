import { withTransaction } from '@platform/db-kit';
import { unprocessable } from '@platform/http-kit';
import { accountRepository } from '../data/account-repository.js';
import { invoiceRepository, type InvoiceWithLines } from '../data/invoice-repository.js';
import type { BillingDeps } from '../deps.js';
import { computeInvoiceTotals, formatInvoiceNumber, type LineInput } from '../domain/invoice-totals.js';

export interface CreateInvoiceInput {
  accountId: string;
  dueDate: string;
  lines: LineInput[];
}

/**
 * A draft invoice for an account: totals computed exactly (a total past 2^53 − 1 → 422), the
 * next gapless number taken in the same transaction. A draft publishes nothing.
 */
export async function createInvoice({ db }: Pick<BillingDeps, 'db'>, { accountId, dueDate, lines }: CreateInvoiceInput): Promise<InvoiceWithLines> {
  const totals = computeInvoiceTotals(lines);
  if (!totals.ok) throw unprocessable(totals.reason);
  return withTransaction(db, async (tx) => {
    const account = await accountRepository(tx).findById(accountId);
    if (!account) throw unprocessable('No billing account with this id');
    const invoices = invoiceRepository(tx);
    const number = formatInvoiceNumber(await invoices.nextNumber());
    return invoices.insert({ number, accountId, userId: account.userId, currency: account.currency, totalMinor: totals.totalMinor, dueDate }, totals.lines);
  });
}
