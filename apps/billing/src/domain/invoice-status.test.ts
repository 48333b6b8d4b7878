import { describe, expect, it } from 'vitest';
import { checkPayment, transition, type InvoiceStatus } from './invoice-status.js';

const state = (status: InvoiceStatus, amountPaidMinor = 0) => ({ status, amountPaidMinor });

describe('invoice life cycle', () => {
  it('issues drafts only', () => {
    expect(transition(state('draft'), 'issue')).toEqual({ ok: true, next: 'issued' });
    for (const status of ['issued', 'paid', 'void'] as const) expect(transition(state(status), 'issue').ok).toBe(false);
  });

  it('voids drafts and unpaid issued invoices, never paid or partly paid ones', () => {
    expect(transition(state('draft'), 'void')).toEqual({ ok: true, next: 'void' });
    expect(transition(state('issued'), 'void')).toEqual({ ok: true, next: 'void' });
    expect(transition(state('paid', 100), 'void')).toEqual({ ok: false, reason: 'A paid invoice cannot be voided' });
    expect(transition(state('issued', 1), 'void').ok).toBe(false);
    expect(transition(state('void'), 'void').ok).toBe(false);
  });

  it('takes payments on issued invoices only', () => {
    for (const status of ['draft', 'paid', 'void'] as const) expect(transition(state(status), 'pay').ok).toBe(false);
    expect(transition(state('issued'), 'pay').ok).toBe(true);
  });
});

describe('payment check', () => {
  const issued = { status: 'issued' as const, totalMinor: 1000, amountPaidMinor: 400 };

  it('accepts up to what is due and says when it settles', () => {
    expect(checkPayment(issued, 100)).toEqual({ ok: true, remainingMinor: 500, settles: false });
    expect(checkPayment(issued, 600)).toEqual({ ok: true, remainingMinor: 0, settles: true });
  });

  it('refuses overpayment and payments on invoices that are not issued', () => {
    expect(checkPayment(issued, 601)).toEqual({ ok: false, reason: 'The amount exceeds what is due (600)' });
    expect(checkPayment({ ...issued, status: 'draft' }, 1)).toEqual({ ok: false, reason: 'A draft invoice cannot be paid' });
    expect(checkPayment({ ...issued, status: 'void' }, 1).ok).toBe(false);
  });
});
