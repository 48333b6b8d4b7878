import * as z from 'zod';
import { defineEvent } from '../define-event.js';
import { channelSchema, uuidSchema } from '../primitives.js';

const notificationFields = {
  notificationId: uuidSchema,
  userId: uuidSchema,
  channel: channelSchema,
  template: z.string().min(1).max(100),
};

export const notificationSentV1 = defineEvent({
  source: 'notifications',
  entity: 'notification',
  action: 'sent',
  version: 1,
  schema: z.object(notificationFields),
});

export const notificationFailedV1 = defineEvent({
  source: 'notifications',
  entity: 'notification',
  action: 'failed',
  version: 1,
  schema: z.object({ ...notificationFields, reason: z.string().min(1).max(2000) }),
});
