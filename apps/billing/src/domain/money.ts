import * as z from 'zod';

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
