import { z } from 'zod';

/** The largest amount the API accepts or returns: beyond it a JSON number stops being exact. */
export const MAX_MONEY_MINOR = Number.MAX_SAFE_INTEGER;

/**
 * Money on the wire: an integer number of minor units. `z.number()` already refuses strings,
 * NaN and Infinity (JSON `1e400` parses to Infinity); `-0` passes `nonnegative()`, so it is
 * refused explicitly: "-0" is not an amount anyone meant to send.
 */
export const moneyMinorSchema = z
  .number()
  .int()
  .nonnegative()
  .max(MAX_MONEY_MINOR)
  .refine((value) => !Object.is(value, -0), 'must not be negative zero');

export function isSafeMoney(value: bigint): boolean {
  return value >= 0n && value <= BigInt(MAX_MONEY_MINOR);
}

const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

/** ISO 4217 alphabetic code, upper case, and one the runtime's ICU data knows (so `XYZ` fails). */
export function isKnownCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && knownCurrencies.has(code);
}

export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in upper case')
  .refine(isKnownCurrency, 'is not a known ISO 4217 currency');
