import { accountCreatedV1, invoiceIssuedV1, invoicePaidV1, invoiceVoidedV1, paymentReceivedV1 } from '@platform/contracts';
import type { DbOrTx } from '@platform/db-kit';
import { enqueueEvent } from '@platform/messaging';
import type { AccountRow } from './data/account-repository.js';
import type { InvoiceRow } from './data/invoice-repository.js';
import type { PaymentRow } from './data/payment-repository.js';

type Invoice = Pick<InvoiceRow, 'id' | 'userId' | 'currency' | 'totalMinor'>;

/**
 * Everything billing publishes (docs/contract.md §6), always through the outbox inside the
 * transaction of the change: pass the transaction and the request id as correlation id. The
 * service's relay is woken once that transaction commits (createService's `wakeAfterCommit`).
 */
export const billingEvents = {
  accountCreated: (tx: DbOrTx, account: AccountRow, correlationId: string) =>
    enqueueEvent(tx, accountCreatedV1, { accountId: account.id, userId: account.userId, currency: account.currency }, { correlationId }),
  invoiceIssued: (tx: DbOrTx, invoice: InvoiceRow, correlationId: string) =>
    enqueueEvent(
      tx,
      invoiceIssuedV1,
      {
        invoiceId: invoice.id,
        number: invoice.number,
        accountId: invoice.accountId,
        userId: invoice.userId,
        currency: invoice.currency,
        totalMinor: invoice.totalMinor,
        dueDate: invoice.dueDate,
      },
      { correlationId },
    ),
  /** Nothing is due any more (the last payment, or an invoice of 0 at issue). */
  invoicePaid: (tx: DbOrTx, invoice: Invoice, correlationId: string) =>
    enqueueEvent(tx, invoicePaidV1, { invoiceId: invoice.id, userId: invoice.userId, currency: invoice.currency, totalMinor: invoice.totalMinor }, { correlationId }),
  invoiceVoided: (tx: DbOrTx, invoice: Pick<InvoiceRow, 'id' | 'userId'>, correlationId: string) =>
    enqueueEvent(tx, invoiceVoidedV1, { invoiceId: invoice.id, userId: invoice.userId }, { correlationId }),
  paymentReceived: (tx: DbOrTx, payment: PaymentRow, correlationId: string) =>
    enqueueEvent(
      tx,
      paymentReceivedV1,
      { paymentId: payment.id, invoiceId: payment.invoiceId, userId: payment.userId, amountMinor: payment.amountMinor, currency: payment.currency },
      { correlationId },
    ),
};
