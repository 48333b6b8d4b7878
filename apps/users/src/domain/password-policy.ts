import * as z from 'zod';
import { noNul } from './text.js';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * docs/contract.md §3: 8..128 characters with an upper-case letter, a lower-case letter and a digit.
 * Unicode letters count (`\p{Lu}`/`\p{Ll}`) so non-Latin passwords are not punished.
 */
export const passwordSchema = noNul(z.string())
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`)
  .regex(/\p{Lu}/u, 'Password needs an upper-case letter')
  .regex(/\p{Ll}/u, 'Password needs a lower-case letter')
  .regex(/\p{Nd}/u, 'Password needs a digit');

/**
 * What a login or a current-password check accepts: no policy (old passwords predate it), only
 * bounds, so a megabyte "password" never reaches argon2.
 */
export const presentedPasswordSchema = noNul(z.string()).min(1, 'Password is required').max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`);

/** Pure check for places outside a request schema (e.g. ADMIN_PASSWORD in config). */
export function passwordProblems(password: string): string[] {
  const result = passwordSchema.safeParse(password);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}
