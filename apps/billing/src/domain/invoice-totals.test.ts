import { describe, expect, it } from 'vitest';
import { amountDue, computeInvoiceTotals, formatInvoiceNumber } from './invoice-totals.js';

describe('invoice totals', () => {
  it('prices each line and sums them in integers', () => {
    const totals = computeInvoiceTotals([
      { description: 'Seat', quantity: 3, unitAmountMinor: 1999 },
      { description: 'Setup', quantity: 1, unitAmountMinor: 0 },
      { description: 'Support', quantity: 10_000, unitAmountMinor: 10_000_000_000 },
    ]);
    expect(totals).toEqual({
      ok: true,
      totalMinor: 5997 + 100_000_000_000_000,
      lines: [
        { description: 'Seat', quantity: 3, unitAmountMinor: 1999, amountMinor: 5997 },
        { description: 'Setup', quantity: 1, unitAmountMinor: 0, amountMinor: 0 },
        { description: 'Support', quantity: 10_000, unitAmountMinor: 10_000_000_000, amountMinor: 100_000_000_000_000 },
      ],
    });
  });

  it('refuses a total past 2^53 rather than rounding it', () => {
    const lines = Array.from({ length: 100 }, () => ({ description: 'x', quantity: 10_000, unitAmountMinor: 10_000_000_000 }));
    expect(computeInvoiceTotals(lines)).toEqual({ ok: false, reason: expect.stringMatching(/total exceeds/) });
    // 90 such lines (9·10^15) still fit; 91 do not.
    expect(computeInvoiceTotals(lines.slice(0, 90)).ok).toBe(true);
    expect(computeInvoiceTotals(lines.slice(0, 91)).ok).toBe(false);
  });

  it('computes what is due and formats numbers', () => {
    expect(amountDue(1000, 400)).toBe(600);
    expect(amountDue(1000, 1000)).toBe(0);
    expect(formatInvoiceNumber(1)).toBe('INV-000001');
    expect(formatInvoiceNumber(123_456)).toBe('INV-123456');
    expect(formatInvoiceNumber(1_234_567)).toBe('INV-1234567');
  });
});
