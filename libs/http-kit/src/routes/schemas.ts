import * as z from 'zod';

/** `/:id` of every resource: platform ids are UUIDs, anything else is a 400 before a query runs. */
export const idParams = z.strictObject({ id: z.uuid('id must be a UUID') });

/**
 * A boolean in a query string (`?unread=true`): text on the wire, so only `true` and `false`
 * are accepted; anything else is a 400 naming the parameter, never a silent default.
 */
export function queryBoolean(name: string) {
  return z.enum(['true', 'false'], `${name} must be true or false`).transform((value) => value === 'true');
}

const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

/** ISO 4217 alphabetic code, upper case, and one the runtime's ICU data knows (so `XYZ` fails). */
export function isKnownCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && knownCurrencies.has(code);
}

/** A currency a client may name (events carry the same codes: `currencySchema` of @platform/contracts). */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in upper case')
  .refine(isKnownCurrency, 'is not a known ISO 4217 currency');
