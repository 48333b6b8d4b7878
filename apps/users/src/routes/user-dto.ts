import { roleSchema } from '@platform/http-kit';
import * as z from 'zod';
import type { UserRow } from '../data/schema.js';
import { userViewOf } from '../data/user-view.js';

/** The user as docs/contract.md §4 shows it. An output schema (z.object): anything else, a hash included, is stripped. */
export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  fullName: z.string(),
  role: roleSchema,
  isActive: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  lastLoginAt: z.iso.datetime().nullable(),
  profile: z.object({
    bio: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    phone: z.string().nullable(),
    timezone: z.string(),
    language: z.string(),
  }),
});

export type UserDto = z.infer<typeof userSchema>;

/** A drizzle row as the user of the API (the same mapping as the raw reads of `data/user-view.ts`). */
export const toUserDto: (user: UserRow) => UserDto = userViewOf;
