import { describe, expect, it } from 'vitest';
import { formatMoney, minorDigits } from './money.js';

describe('formatMoney', () => {
  it('uses the currency minor units', () => {
    expect(minorDigits('EUR')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
    expect(formatMoney(123_456, 'EUR')).toBe('€1,234.56');
    expect(formatMoney(500, 'USD')).toBe('$5.00');
    expect(formatMoney(1_234, 'JPY')).toBe('¥1,234');
    expect(formatMoney(1_234, 'KWD').replace(/\s/g, ' ')).toBe('KWD 1.234'); // Intl puts a no-break space here
  });

  it('handles small and huge amounts exactly', () => {
    expect(formatMoney(0, 'EUR')).toBe('€0.00');
    expect(formatMoney(7, 'EUR')).toBe('€0.07');
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD')).toBe('$90,071,992,547,409.91');
  });
});
