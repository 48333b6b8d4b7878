import * as z from 'zod';

/** Shared field schemas so every event spells ids, money and dates the same way. */
export const uuidSchema = z.uuid();

/**
 * Money is an integer number of minor units. `z.number().int()` already rejects floats and
 * strings; the safe-integer bound keeps values exact in JSON and JavaScript.
 */
export const moneyMinorSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** ISO 4217 alphabetic code, upper case only (no silent normalisation on the wire). */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in upper case');

/** Calendar date `YYYY-MM-DD`. */
export const isoDateSchema = z.iso.date();

/** Timestamp in ISO 8601 with an offset (UTC `Z` in practice). */
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

export const roleSchema = z.enum(['user', 'moderator', 'admin']);
export type Role = z.infer<typeof roleSchema>;

export const channelSchema = z.enum(['in_app', 'email']);
export type Channel = z.infer<typeof channelSchema>;
