import type { DbOrTx } from '@platform/db-kit';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { PricedLine } from '../domain/invoice-totals.js';
import type { InvoiceStatus } from '../domain/invoice-status.js';
import { invoiceLines, invoices, numberCounters } from './schema.js';

export type InvoiceRow = typeof invoices.$inferSelect;
export type InvoiceWithLines = InvoiceRow & { lines: PricedLine[] };
export type NewInvoice = Pick<InvoiceRow, 'number' | 'accountId' | 'userId' | 'currency' | 'totalMinor' | 'dueDate'>;

/** Whose invoices a read may return (`userId` absent: anyone's, for an admin), and in which status. */
export interface InvoiceFilter {
  userId?: string;
  status?: InvoiceStatus;
}

export function invoiceRepository(db: DbOrTx) {
  async function withLines(rows: InvoiceRow[]): Promise<InvoiceWithLines[]> {
    if (rows.length === 0) return [];
    const lines = await db
      .select()
      .from(invoiceLines)
      .where(inArray(invoiceLines.invoiceId, rows.map((r) => r.id)))
      .orderBy(asc(invoiceLines.invoiceId), asc(invoiceLines.position));
    const byInvoice = new Map<string, PricedLine[]>();
    for (const { invoiceId, description, quantity, unitAmountMinor, amountMinor } of lines) {
      const list = byInvoice.get(invoiceId) ?? [];
      list.push({ description, quantity, unitAmountMinor, amountMinor });
      byInvoice.set(invoiceId, list);
    }
    return rows.map((row) => ({ ...row, lines: byInvoice.get(row.id) ?? [] }));
  }

  return {
    /**
     * Next value of a gapless counter. The row lock taken by the upsert is held until the
     * transaction ends, so concurrent creations queue here and a rollback gives the number back
     * (a Postgres sequence would leave gaps). Invoice creation is an admin action: the
     * serialisation costs nothing that matters.
     */
    async nextNumber(name = 'invoice'): Promise<number> {
      const [row] = await db
        .insert(numberCounters)
        .values({ name, lastValue: 1 })
        .onConflictDoUpdate({ target: numberCounters.name, set: { lastValue: sql`${numberCounters.lastValue} + 1` } })
        .returning({ value: numberCounters.lastValue });
      if (!row) throw new Error('invoice counter did not return a value');
      return row.value;
    },

    async insert(invoice: NewInvoice, lines: PricedLine[]): Promise<InvoiceWithLines> {
      const [row] = await db.insert(invoices).values({ ...invoice, status: 'draft' }).returning();
      if (!row) throw new Error('invoice insert returned nothing');
      await db.insert(invoiceLines).values(lines.map((line, position) => ({ ...line, invoiceId: row.id, position })));
      return { ...row, lines };
    },

    /** The invoice row locked until the transaction ends: every state or amount change goes through here. */
    async lock(id: string): Promise<InvoiceRow | undefined> {
      const [row] = await db.select().from(invoices).where(eq(invoices.id, id)).for('update');
      return row;
    },

    async update(id: string, patch: Partial<Pick<InvoiceRow, 'status' | 'amountPaidMinor' | 'issuedAt' | 'paidAt'>>): Promise<InvoiceWithLines> {
      const [row] = await db.update(invoices).set(patch).where(eq(invoices.id, id)).returning();
      if (!row) throw new Error('invoice vanished during update');
      const [full] = await withLines([row]);
      return full as InvoiceWithLines;
    },

    /** The hot path of a payment: no lines needed, nothing read back. */
    async recordPayment(id: string, amountPaidMinor: number, paidAt: Date | null): Promise<void> {
      await db
        .update(invoices)
        .set(paidAt ? { amountPaidMinor, status: 'paid', paidAt } : { amountPaidMinor })
        .where(eq(invoices.id, id));
    },
  };
}
