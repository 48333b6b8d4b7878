import { integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';

/**
 * The schema of messaging's own tests: the outbox and inbox exactly as apps include them, plus a
 * `widgets` table standing for "the state change" an event describes or a handler applies.
 */
export { inboxTable, outboxTable } from '../src/tables.js';

export const widgets = pgTable('widgets', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  /** Incremented by consumer handlers: a repeated effect shows up as a count above 1. */
  applied: integer('applied').notNull().default(0),
});
