import { humanText } from '@platform/http-kit';
import * as z from 'zod';
import { noNul } from './text.js';

export const EMAIL_MAX = 254;
export const FULL_NAME_MAX = 100;

/** Trimmed and lower-cased before any check, so `  Ann@X.org ` and `ann@x.org` are one account. */
export const emailSchema = noNul(z.string())
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX, `E-mail must be at most ${EMAIL_MAX} characters`)
  .pipe(z.email('Invalid e-mail address'));

/** Shown to moderators and admins and put into e-mails: one line, no control or bidi-override characters. */
export const fullNameSchema = humanText()
  .min(1, 'Full name is required')
  .max(FULL_NAME_MAX, `Full name must be at most ${FULL_NAME_MAX} characters`);

// Intl lists the canonical IANA zones of its ICU ('UTC', the default, is not always listed).
const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
const IANA_NAME = /^[A-Z][A-Za-z_-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/;

/**
 * A real IANA zone: one Intl lists, or an IANA alias of one (ICU still lists `Asia/Calcutta`
 * and `Europe/Kiev`, while `Asia/Kolkata` and `Europe/Kyiv` are the current names).
 */
export function isTimeZone(value: string): boolean {
  if (TIME_ZONES.has(value)) return true;
  if (!IANA_NAME.test(value)) return false;
  try {
    return TIME_ZONES.has(new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone);
  } catch {
    return false;
  }
}

/** The canonical form of a BCP 47 tag (`en-us` → `en-US`), or undefined when it is not one. */
export function canonicalLanguageTag(value: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    return canonical;
  } catch {
    return undefined;
  }
}

const httpUrl = noNul(z.string())
  .max(500, 'Avatar URL must be at most 500 characters')
  .pipe(z.url({ protocol: /^https?$/, hostname: z.regexes.hostname, message: 'Avatar URL must be an http(s) URL' }));

/** Profile fields a user may change; each optional (PATCH merges), nullable where it has no default. */
export const profilePatchSchema = z.strictObject({
  bio: humanText({ multiline: true, trim: false }).max(500, 'Bio must be at most 500 characters').nullable().optional(),
  avatarUrl: httpUrl.nullable().optional(),
  phone: noNul(z.string())
    .trim()
    .max(20, 'Phone must be at most 20 characters')
    .regex(/^\+?[0-9][0-9 ().-]*$/, 'Phone may contain digits, spaces, +, -, ., ( and ) only')
    .nullable()
    .optional(),
  timezone: noNul(z.string()).refine(isTimeZone, 'Unknown IANA time zone').optional(),
  language: noNul(z.string())
    .max(35, 'Language tag is too long')
    .refine((value) => canonicalLanguageTag(value) !== undefined, 'Invalid BCP 47 language tag')
    .transform((value) => canonicalLanguageTag(value) as string)
    .optional(),
});

export type ProfilePatch = z.infer<typeof profilePatchSchema>;

/** At least one field, so an empty PATCH is a clear 400 rather than a silent no-op. */
export function nonEmpty<T extends Record<string, unknown>>(value: T): boolean {
  return Object.values(value).some((field) => field !== undefined);
}

/** Case-insensitive LIKE pattern matching `text` literally anywhere: `%`, `_` and `\` are escaped. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
