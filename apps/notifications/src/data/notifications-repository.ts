import { clientOf, type DbOrTx } from '@platform/db-kit';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { notifications, type NotificationRow } from './schema.js';

export type NewNotification = typeof notifications.$inferInsert;

/** One message of one event: its content, on the channels the preferences allow. */
export interface NewMessage {
  userId: string;
  template: string;
  title: string;
  body: string;
  sourceEventId: string;
  inApp: boolean;
  /** Null: no e-mail. `to` is null while the address is unknown (the delivery waits for it). */
  email: { to: string | null; subject: string; text: string; html: string; correlationId: string; traceContext: string | null } | null;
}

// Both notifications and the e-mail's delivery in one prepared statement. ON CONFLICT DO NOTHING
// on (source event, channel, template) is the second guard behind the inbox; a delivery exists
// only for an e-mail notification inserted here. clock_timestamp(), not now(): a consumer
// applies several events in one transaction, and newest-first lists and the send order must
// still tell them apart. (Casts: parameters in a SELECT list get no type from the target column.)
const insertMessage = `
  with in_app as (
    insert into notifications (user_id, channel, template, title, body, source_event_id, created_at)
    select $1::uuid, 'in_app', $2::text, $3::text, $4::text, $5::uuid, clock_timestamp() where $6::boolean
    on conflict do nothing
    returning id),
  email as (
    insert into notifications (user_id, channel, template, title, body, source_event_id, created_at)
    select $1::uuid, 'email', $2::text, $3::text, $4::text, $5::uuid, clock_timestamp() where $7::boolean
    on conflict do nothing
    returning id),
  delivery as (
    insert into deliveries (notification_id, user_id, "to", template, subject, text, html, source_event_id, correlation_id, trace_context, created_at, next_attempt_at)
    select email.id, $1::uuid, $8::text, $2::text, $9::text, $10::text, $11::text, $5::uuid, $12::text, $13::text, clock_timestamp(), clock_timestamp() from email
    on conflict do nothing)
  select (select id from in_app) as in_app_id, exists (select 1 from email) as email`;

/** In-app notifications are the only ones users list (notification-reads.ts) and mark; e-mail rows back the deliveries. */
export function notificationsRepository(db: DbOrTx) {
  const ownInApp = (userId: string) => and(eq(notifications.userId, userId), eq(notifications.channel, 'in_app'));
  return {
    /** Null when this (source event, channel, template) already exists: the second idempotency guard. */
    async insertOnce(row: NewNotification): Promise<NotificationRow | null> {
      // clock_timestamp(), not the transaction's now(): a consumer applies several events in one
      // transaction, and the list's newest-first order must still tell them apart.
      const [inserted] = await db
        .insert(notifications)
        .values({ createdAt: sql`clock_timestamp()`, ...row })
        .onConflictDoNothing()
        .returning();
      return inserted ?? null;
    },

    /** Writes a message's notifications (and e-mail delivery); says which were new. */
    async insertMessage(m: NewMessage): Promise<{ inAppId: string | null; email: boolean }> {
      const e = m.email;
      const params = [m.userId, m.template, m.title, m.body, m.sourceEventId, m.inApp, e !== null, e?.to ?? null, e?.subject ?? null, e?.text ?? null, e?.html ?? null, e?.correlationId ?? null, e?.traceContext ?? null];
      const [row] = await clientOf(db).unsafe<{ in_app_id: string | null; email: boolean }[]>(insertMessage, params, { prepare: true });
      return { inAppId: row?.in_app_id ?? null, email: row?.email ?? false };
    },

    /** Idempotent: the first read time is kept. Undefined when not the caller's (or not in-app). */
    async markRead(userId: string, id: string): Promise<NotificationRow | undefined> {
      const [row] = await db
        .update(notifications)
        .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
        .where(and(eq(notifications.id, id), ownInApp(userId)))
        .returning();
      return row;
    },

    async markAllRead(userId: string): Promise<number> {
      const rows = await db
        .update(notifications)
        .set({ readAt: sql`now()` })
        .where(and(ownInApp(userId), isNull(notifications.readAt)))
        .returning({ id: notifications.id });
      return rows.length;
    },
  };
}
