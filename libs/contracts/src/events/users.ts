import * as z from 'zod';
import { defineEvent } from '../define-event.js';
import { roleSchema, uuidSchema } from '../primitives.js';

const userSnapshot = z.object({
  userId: uuidSchema,
  email: z.email(),
  fullName: z.string().min(1).max(100),
  role: roleSchema,
  isActive: z.boolean(),
});

const userRef = z.object({ userId: uuidSchema });

export const userRegisteredV1 = defineEvent({
  source: 'users',
  entity: 'user',
  action: 'registered',
  version: 1,
  schema: userSnapshot,
});

export const userUpdatedV1 = defineEvent({
  source: 'users',
  entity: 'user',
  action: 'updated',
  version: 1,
  schema: userSnapshot,
});

export const userDeactivatedV1 = defineEvent({
  source: 'users',
  entity: 'user',
  action: 'deactivated',
  version: 1,
  schema: userRef,
});

export const userLoggedInV1 = defineEvent({
  source: 'users',
  entity: 'user',
  action: 'logged_in',
  version: 1,
  schema: userRef,
});

export const userPasswordChangedV1 = defineEvent({
  source: 'users',
  entity: 'user',
  action: 'password_changed',
  version: 1,
  schema: userRef,
});
