import { currencySchema, humanText, paginationQuery } from '@platform/http-kit';
import * as z from 'zod';
import type { AccountRow } from '../data/account-repository.js';
import type { InvoiceWithLines } from '../data/invoice-repository.js';
import { IDEMPOTENCY_KEY_PATTERN } from '../domain/idempotency.js';
import { INVOICE_STATUSES, type InvoiceView } from '../domain/invoice.js';
import { amountDue } from '../domain/invoice-totals.js';
import { moneyMinorSchema } from '../domain/money.js';

/** Billing's request and response shapes, and rows → responses (timestamps as ISO 8601 UTC). */

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const Account = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  currency: z.string(),
  billingEmail: z.string().nullable(),
  companyName: z.string().nullable(),
  createdAt: z.string(),
});

export const OpenAccountBody = z.strictObject({
  currency: currencySchema,
  billingEmail: z.string().trim().toLowerCase().max(254).pipe(z.email()).optional(),
  companyName: humanText().min(1).max(200).optional(),
});

export const toAccount = (row: AccountRow) => ({ ...row, createdAt: iso(row.createdAt) as string });

// The invoice's response schema is the domain's (domain/invoice.ts), shared with the reads' type.
export { Invoice } from '../domain/invoice.js';

const LineInput = z.strictObject({
  // Shown to the customer and in the e-mail about the invoice.
  description: humanText({ multiline: true }).min(1).max(500),
  quantity: z.number().int().min(1).max(10_000),
  unitAmountMinor: moneyMinorSchema.max(10_000_000_000),
});

/** Everything else (number, status, totals, userId, currency) is the service's to set: unknown → 400. */
export const CreateInvoiceBody = z.strictObject({
  accountId: z.uuid(),
  dueDate: z.iso.date(),
  lines: z.array(LineInput).min(1).max(100),
});

export const ListInvoicesQuery = paginationQuery.extend({ status: z.enum(INVOICE_STATUSES).optional() });

export const toInvoice = (invoice: InvoiceWithLines): InvoiceView => ({
  id: invoice.id,
  number: invoice.number,
  accountId: invoice.accountId,
  userId: invoice.userId,
  status: invoice.status,
  currency: invoice.currency,
  lines: invoice.lines,
  totalMinor: invoice.totalMinor,
  amountPaidMinor: invoice.amountPaidMinor,
  amountDueMinor: amountDue(invoice.totalMinor, invoice.amountPaidMinor),
  dueDate: invoice.dueDate,
  issuedAt: iso(invoice.issuedAt),
  paidAt: iso(invoice.paidAt),
  createdAt: iso(invoice.createdAt) as string,
});

const methods = ['card', 'bank_transfer', 'cash'] as const;

export const Payment = z.object({
  id: z.uuid(),
  invoiceId: z.uuid(),
  amountMinor: z.number().int(),
  currency: z.string(),
  method: z.enum(methods),
  createdAt: z.string(),
});

export const PayBody = z.strictObject({
  amountMinor: moneyMinorSchema.min(1, 'must be at least 1'),
  method: z.enum(methods),
});

// Loose: the validated object replaces request.headers, so every other header must survive.
export const PayHeaders = z.looseObject({
  'idempotency-key': z.string({ error: 'Idempotency-Key header is required' }).regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1..255 printable ASCII characters'),
});
