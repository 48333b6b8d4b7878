import * as z from 'zod';
import type { InvoiceStatus } from './invoice-status.js';

/** Every status of the invoice life cycle (invoice-status.ts), as the API names them. */
export const INVOICE_STATUSES = ['draft', 'issued', 'paid', 'void'] as const satisfies readonly InvoiceStatus[];

const Line = z.object({ description: z.string(), quantity: z.number().int(), unitAmountMinor: z.number().int(), amountMinor: z.number().int() });

/**
 * An invoice as the API answers it (docs/contract.md §4), timestamps as ISO 8601 UTC: the
 * response schema of every invoice route, and through `InvoiceView` the type of what the reads
 * (data/invoice-reads.ts) build in Postgres, so the shape is declared once.
 */
export const Invoice = z.object({
  id: z.uuid(),
  number: z.string(),
  accountId: z.uuid(),
  userId: z.uuid(),
  status: z.enum(INVOICE_STATUSES),
  currency: z.string(),
  lines: z.array(Line),
  totalMinor: z.number().int(),
  amountPaidMinor: z.number().int(),
  amountDueMinor: z.number().int(),
  dueDate: z.string(),
  issuedAt: z.string().nullable(),
  paidAt: z.string().nullable(),
  createdAt: z.string(),
});

export type InvoiceView = z.infer<typeof Invoice>;
