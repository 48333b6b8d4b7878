import * as z from 'zod';

/**
 * Postgres refuses NUL in text (and a NUL can cut a value short in other systems), so every
 * string a client sends is checked: a NUL is a 400, never stored or half-stored.
 */
export function noNul<T extends z.ZodString>(schema: T): T {
  return schema.refine((value) => !value.includes('\u0000'), 'NUL characters are not allowed') as unknown as T;
}
