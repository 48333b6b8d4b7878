export type InvoiceStatus = 'draft' | 'issued' | 'paid' | 'void';
export type InvoiceAction = 'issue' | 'void' | 'pay';

export interface InvoiceState {
  status: InvoiceStatus;
  amountPaidMinor: number;
}

export type Transition = { ok: true; next: InvoiceStatus } | { ok: false; reason: string };

/**
 * The invoice life cycle: draft → issued → paid, and draft | issued → void.
 * `pay` only checks the status; whether the amount fits is `checkPayment`'s job.
 * An invoice that received any payment is not voided (the money would be orphaned): refund first.
 */
export function transition(state: InvoiceState, action: InvoiceAction): Transition {
  const { status } = state;
  switch (action) {
    case 'issue':
      return status === 'draft' ? { ok: true, next: 'issued' } : { ok: false, reason: `A ${status} invoice cannot be issued` };
    case 'void':
      if (status === 'paid') return { ok: false, reason: 'A paid invoice cannot be voided' };
      if (status === 'void') return { ok: false, reason: 'The invoice is already void' };
      if (state.amountPaidMinor > 0) return { ok: false, reason: 'An invoice with payments cannot be voided' };
      return { ok: true, next: 'void' };
    case 'pay':
      return status === 'issued' ? { ok: true, next: 'issued' } : { ok: false, reason: `A ${status} invoice cannot be paid` };
  }
}

export type PaymentCheck = { ok: true; remainingMinor: number; settles: boolean } | { ok: false; reason: string };

/** A payment must fit in what is due; the invoice is settled when nothing remains. */
export function checkPayment(invoice: InvoiceState & { totalMinor: number }, amountMinor: number): PaymentCheck {
  const allowed = transition(invoice, 'pay');
  if (!allowed.ok) return allowed;
  const due = invoice.totalMinor - invoice.amountPaidMinor;
  if (amountMinor > due) return { ok: false, reason: `The amount exceeds what is due (${due})` };
  const remainingMinor = due - amountMinor;
  return { ok: true, remainingMinor, settles: remainingMinor === 0 };
}
