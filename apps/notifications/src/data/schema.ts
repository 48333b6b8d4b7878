/** Every table of the notifications database; drizzle-kit generates `drizzle/` migrations from this file. */
import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt, uuidPk } from '@platform/db-kit';

export { inboxTable, outboxTable } from '@platform/messaging';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Who we write to, learnt from users events only. `lastEventAt` is the `occurredAt` of the
 * event that last changed the row, so an older event arriving late never overwrites a newer one.
 * `email` and `role` are null when only a deactivation has been seen; `role` is what refuses a
 * token issued before the user's role changed (docs/contract.md §3).
 */
export const recipients = pgTable('recipients', {
  userId: uuid('user_id').primaryKey(),
  email: text('email'),
  fullName: text('full_name'),
  role: text('role'),
  active: boolean('active').notNull().default(true),
  lastEventAt: timestamptz('last_event_at').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** One row per user once registered (or once they saved preferences); absent = defaults. */
export const preferences = pgTable('preferences', {
  userId: uuid('user_id').primaryKey(),
  emailBilling: boolean('email_billing').notNull(),
  emailMarketing: boolean('email_marketing').notNull(),
  inAppBilling: boolean('in_app_billing').notNull(),
  inAppMarketing: boolean('in_app_marketing').notNull(),
  updatedAt: updatedAt(),
});

/**
 * One row per channel a message went to. The unique (source event, channel, template) is the
 * second guard behind the inbox: the same event can never notify twice.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuidPk(),
    userId: uuid('user_id').notNull(),
    channel: text('channel', { enum: ['in_app', 'email'] }).notNull(),
    template: text('template').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    sourceEventId: uuid('source_event_id').notNull(),
    readAt: timestamptz('read_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('notifications_source_uq').on(t.sourceEventId, t.channel, t.template),
    index('notifications_user_idx').on(t.userId, t.channel, t.createdAt.desc(), t.id.desc()),
  ],
);

/**
 * An e-mail to send: written by a consumer, sent by the delivery sender. `to` is null while the
 * recipient's address is not known yet (an invoice before the registration arrived).
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: uuidPk(),
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id),
    userId: uuid('user_id').notNull(),
    to: text('to'),
    template: text('template').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamptz('next_attempt_at').notNull().defaultNow(),
    sentAt: timestamptz('sent_at'),
    sourceEventId: uuid('source_event_id').notNull(),
    correlationId: text('correlation_id').notNull(),
    /** W3C `traceparent` of the event handling that queued it: the send continues that trace. */
    traceContext: text('trace_context'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('deliveries_source_uq').on(t.sourceEventId, t.template),
    index('deliveries_pending_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('deliveries_user_idx').on(t.userId, t.createdAt.desc()),
  ],
);

export type RecipientRow = typeof recipients.$inferSelect;
export type PreferencesRow = typeof preferences.$inferSelect;
export type NotificationRow = typeof notifications.$inferSelect;
export type DeliveryRow = typeof deliveries.$inferSelect;
