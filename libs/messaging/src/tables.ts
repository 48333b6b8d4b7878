import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Events waiting to be published, written in the same transaction as the change they describe.
 * Apps export this table from their drizzle schema so drizzle-kit generates it in their migrations.
 */
export const outboxTable = pgTable(
  'outbox',
  {
    /** The event id, reused as `Nats-Msg-Id` on every publish attempt. */
    id: uuid('id').primaryKey(),
    /** The contract type (un-namespaced subject). */
    subject: text('subject').notNull(),
    payload: jsonb('payload').notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [index('outbox_unpublished_idx').on(t.createdAt).where(sql`${t.publishedAt} is null`)],
);

/** Events a consumer has already applied; the primary key makes a redelivery a no-op. */
export const inboxTable = pgTable(
  'inbox',
  {
    consumer: text('consumer').notNull(),
    eventId: uuid('event_id').notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);

export type OutboxRow = typeof outboxTable.$inferSelect;
export type InboxRow = typeof inboxTable.$inferSelect;
