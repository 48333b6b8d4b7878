import { describe, expect, it } from 'vitest';
import { currencySchema, idParams, isKnownCurrency, queryBoolean } from './schemas.js';

describe('shared route schemas', () => {
  it('idParams takes a UUID only', () => {
    expect(idParams.safeParse({ id: '8f8c2a4e-7a7b-4b65-9d3c-3f1f4f0c2b1a' }).success).toBe(true);
    expect(idParams.safeParse({ id: '42' }).error?.issues[0]?.message).toBe('id must be a UUID');
  });

  it('queryBoolean reads true and false and names the parameter otherwise', () => {
    const unread = queryBoolean('unread');
    expect(unread.parse('true')).toBe(true);
    expect(unread.parse('false')).toBe(false);
    expect(unread.safeParse('1').error?.issues[0]?.message).toBe('unread must be true or false');
  });

  it('currency: real ISO 4217 codes in upper case only, with a reason', () => {
    expect(isKnownCurrency('EUR')).toBe(true);
    expect(isKnownCurrency('JPY')).toBe(true);
    expect(isKnownCurrency('eur')).toBe(false);
    expect(isKnownCurrency('XYZ')).toBe(false);
    expect(isKnownCurrency('EURO')).toBe(false);
    expect(currencySchema.safeParse('usd').error?.issues[0]?.message).toMatch(/upper case/);
    expect(currencySchema.safeParse('QQQ').error?.issues[0]?.message).toMatch(/not a known/);
  });
});
