import type { DbOrTx } from '@platform/db-kit';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { notifications, type NotificationRow } from './schema.js';

export type NewNotification = typeof notifications.$inferInsert;

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
