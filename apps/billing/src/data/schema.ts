/** Every table of the billing database; drizzle-kit generates `drizzle/` migrations from this file. */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt, uuidPk } from '@platform/db-kit';

export { inboxTable, outboxTable } from '@platform/messaging';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/**
 * Money and totals are bigint in the database. They are read as JS numbers because the service
 * refuses any amount or total above Number.MAX_SAFE_INTEGER before it is stored (domain/money.ts).
 */
const money = (name: string) => bigint(name, { mode: 'number' });

/**
 * Billing's own copy of the users it needs, fed only by the users stream's events (events/project-users.ts).
 * `profileAt` / `statusAt` are the `occurredAt` of the newest event applied to the profile fields
 * and to `isActive`: an older event arriving late never overwrites a newer one. A row may also be
 * created from a valid token (`source = 'token'`) when the registration event has not arrived yet.
 */
export const billingUsers = pgTable('billing_users', {
  userId: uuid('user_id').primaryKey(),
  email: text('email'),
  fullName: text('full_name'),
  role: text('role'),
  isActive: boolean('is_active').notNull().default(true),
  profileAt: timestamptz('profile_at'),
  statusAt: timestamptz('status_at'),
  source: text('source').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const accounts = pgTable(
  'accounts',
  {
    id: uuidPk(),
    // One account per user: the unique index is what makes a second one a 409, even under races.
    userId: uuid('user_id').notNull().unique('accounts_user_id_unique'),
    currency: text('currency').notNull(),
    billingEmail: text('billing_email'),
    companyName: text('company_name'),
    createdAt: createdAt(),
  },
  (t) => [index('accounts_created_at_idx').on(t.createdAt), check('accounts_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`)],
);

/** Gapless invoice numbering: one counter row per sequence, incremented in the invoice's transaction. */
export const numberCounters = pgTable('number_counters', {
  name: text('name').primaryKey(),
  lastValue: bigint('last_value', { mode: 'number' }).notNull(),
});

export const invoices = pgTable(
  'invoices',
  {
    id: uuidPk(),
    number: text('number').notNull().unique('invoices_number_unique'),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    userId: uuid('user_id').notNull(),
    status: text('status', { enum: ['draft', 'issued', 'paid', 'void'] }).notNull(),
    currency: text('currency').notNull(),
    totalMinor: money('total_minor').notNull(),
    amountPaidMinor: money('amount_paid_minor').notNull().default(0),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    issuedAt: timestamptz('issued_at'),
    paidAt: timestamptz('paid_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('invoices_user_created_idx').on(t.userId, t.createdAt),
    index('invoices_status_created_idx').on(t.status, t.createdAt),
    check('invoices_status_check', sql`${t.status} in ('draft', 'issued', 'paid', 'void')`),
    // Last line of defence: whatever the code does, the database never holds an overpaid invoice.
    check('invoices_amounts_check', sql`${t.totalMinor} >= 0 and ${t.amountPaidMinor} >= 0 and ${t.amountPaidMinor} <= ${t.totalMinor}`),
  ],
);

export const invoiceLines = pgTable(
  'invoice_lines',
  {
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    position: smallint('position').notNull(),
    description: text('description').notNull(),
    quantity: integer('quantity').notNull(),
    unitAmountMinor: money('unit_amount_minor').notNull(),
    amountMinor: money('amount_minor').notNull(),
  },
  (t) => [primaryKey({ columns: [t.invoiceId, t.position] })],
);

export const payments = pgTable(
  'payments',
  {
    id: uuidPk(),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id),
    /** The invoice owner (whose money it is), not necessarily the caller. */
    userId: uuid('user_id').notNull(),
    /** Who made the request (the owner or an admin). */
    createdBy: uuid('created_by').notNull(),
    amountMinor: money('amount_minor').notNull(),
    currency: text('currency').notNull(),
    method: text('method', { enum: ['card', 'bank_transfer', 'cash'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('payments_invoice_idx').on(t.invoiceId), check('payments_amount_check', sql`${t.amountMinor} > 0`)],
);

/**
 * One row per (caller, Idempotency-Key): the hash of the request it was first used with and the
 * payment it produced (a replay answers it with 200, whatever the first answer's status was). The primary key is what makes ten concurrent requests with one key one payment.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    callerId: uuid('caller_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    response: jsonb('response'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.callerId, t.key] })],
);
