import type { DbOrTx } from '@platform/db-kit';
import { payments } from './schema.js';

export type PaymentRow = typeof payments.$inferSelect;
export type NewPayment = Pick<PaymentRow, 'invoiceId' | 'userId' | 'createdBy' | 'amountMinor' | 'currency' | 'method'>;

export function paymentRepository(db: DbOrTx) {
  return {
    async insert(payment: NewPayment): Promise<PaymentRow> {
      const [row] = await db.insert(payments).values(payment).returning();
      if (!row) throw new Error('payment insert returned nothing');
      return row;
    },
  };
}
