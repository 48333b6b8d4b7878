import type { AccessClaims } from '@platform/http-kit';
import { z } from 'zod';

/** Admins see every billing resource; everyone else only their own. */
export const isAdmin = (user: AccessClaims) => user.role === 'admin';

export const idParams = z.object({ id: z.uuid() });

export const iso = (date: Date | null) => (date ? date.toISOString() : null);
