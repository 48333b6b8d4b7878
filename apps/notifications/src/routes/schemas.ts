import { paginationQuery, queryBoolean } from '@platform/http-kit';
import * as z from 'zod';
import type { DeliveryRow, NotificationRow } from '../data/schema.js';

export const Notification = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  channel: z.enum(['in_app', 'email']),
  template: z.string(),
  title: z.string(),
  body: z.string(),
  readAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});

export const listNotificationsQuery = paginationQuery.extend({ unread: queryBoolean('unread').optional() });

const channelPreferences = z.strictObject({ billing: z.boolean(), marketing: z.boolean() });
export const PreferencesInput = z.strictObject({ email: channelPreferences, inApp: channelPreferences });

export const Preferences = z.object({
  email: z.object({ billing: z.boolean(), marketing: z.boolean() }),
  inApp: z.object({ billing: z.boolean(), marketing: z.boolean() }),
});

export const deliveryStatus = z.enum(['pending', 'sent', 'failed']);

export const listDeliveriesQuery = paginationQuery.extend({ userId: z.uuid().optional(), status: deliveryStatus.optional() });

export const Delivery = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  to: z.string().nullable(),
  template: z.string(),
  status: deliveryStatus,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  sentAt: z.iso.datetime().nullable(),
});

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** Rows to API shapes: timestamps as ISO 8601 UTC, internals (source event, bodies) left out. */
export const toNotification = (row: NotificationRow): z.input<typeof Notification> => ({
  id: row.id,
  userId: row.userId,
  channel: row.channel,
  template: row.template,
  title: row.title,
  body: row.body,
  readAt: iso(row.readAt),
  createdAt: row.createdAt.toISOString(),
});

export const toDelivery = (row: DeliveryRow): z.input<typeof Delivery> => ({
  id: row.id,
  userId: row.userId,
  to: row.to,
  template: row.template,
  status: row.status,
  attempts: row.attempts,
  lastError: row.lastError,
  sentAt: iso(row.sentAt),
});
