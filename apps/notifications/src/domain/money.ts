/**
 * Money arrives as integer minor units plus an ISO 4217 code. The number of minor digits comes
 * from Intl (JPY 0, EUR 2, KWD 3); the decimal is built as a string so large amounts stay exact.
 */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(amountMinor: number, currency: string, locale = 'en'): string {
  const digits = minorDigits(currency);
  const negative = amountMinor < 0;
  const text = String(Math.abs(Math.trunc(amountMinor))).padStart(digits + 1, '0');
  const major = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  // Intl formats decimal strings exactly (no float rounding) on Node ≥ 19.
  return formatter.format(`${negative ? '-' : ''}${major}` as unknown as number);
}
