import { isSafeMoney } from './money.js';

export interface LineInput {
  description: string;
  quantity: number;
  unitAmountMinor: number;
}

export interface PricedLine extends LineInput {
  amountMinor: number;
}

export type InvoiceTotals =
  | { ok: true; lines: PricedLine[]; totalMinor: number }
  | { ok: false; reason: string };

/**
 * Prices every line and the invoice in integer minor units. The arithmetic is done in BigInt
 * (100 lines × 10,000 × 10^10 can reach 10^16, past 2^53) and refused when a line or the total
 * would not be exactly representable as a JSON number.
 */
export function computeInvoiceTotals(lines: readonly LineInput[]): InvoiceTotals {
  let total = 0n;
  const priced: PricedLine[] = [];
  for (const line of lines) {
    const amount = BigInt(line.quantity) * BigInt(line.unitAmountMinor);
    if (!isSafeMoney(amount)) return { ok: false, reason: 'A line amount exceeds the largest supported amount' };
    total += amount;
    priced.push({ ...line, amountMinor: Number(amount) });
  }
  if (!isSafeMoney(total)) return { ok: false, reason: 'The invoice total exceeds the largest supported amount' };
  return { ok: true, lines: priced, totalMinor: Number(total) };
}

/** What is still owed; never negative. */
export function amountDue(totalMinor: number, amountPaidMinor: number): number {
  return Math.max(0, totalMinor - amountPaidMinor);
}

/** `INV-000001`: six digits, more once past 999,999 (numbers stay unique and ordered). */
export function formatInvoiceNumber(sequence: number): string {
  return `INV-${String(sequence).padStart(6, '0')}`;
}
