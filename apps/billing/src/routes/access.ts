import type { AccessClaims } from '@platform/http-kit';
import { z } from 'zod';

/** Admins see every billing resource; everyone else only their own. */
export const isAdmin = (user: AccessClaims) => user.role === 'admin';

export const idParams = z.object({ id: z.uuid() });

/** NUL and the other C0 controls (and DEL) have no business in a description; tab, LF, CR do. */
function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

/** Text a person typed: trimmed, no NUL or other control characters. */
export const humanText = (min: number, max: number) =>
  z.string().trim().min(min).max(max).refine((value) => !hasControlCharacters(value), 'must not contain control characters');

export const iso = (date: Date | null) => (date ? date.toISOString() : null);
