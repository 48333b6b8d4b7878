/** Every table of the analytics database; drizzle-kit generates `drizzle/` migrations from this file. */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export { inboxTable, outboxTable } from '@platform/messaging';

/*
 * Index and key names follow Postgres' own naming (`<table>_<columns>_idx`, `<table>_pkey`): a
 * rebuild copies these tables with `CREATE TABLE ... (LIKE ... INCLUDING ALL)`, which names the
 * copies' indexes the same way, so after the swap the live tables keep the names the migrations know.
 */

/** The event log: every event of every producing stream, once (unique by event id), append-only. */
export const events = pgTable(
  'events',
  {
    eventId: uuid('event_id').primaryKey(),
    stream: text('stream').notNull(),
    type: text('type').notNull(),
    version: integer('version').notNull(),
    source: text('source').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    correlationId: text('correlation_id').notNull(),
    /** false: a type or version without a contract here (stored and counted, no metric). */
    known: boolean('known').notNull(),
    data: jsonb('data').notNull(),
  },
  (t) => [
    index('events_occurred_at_idx').on(t.occurredAt),
    index('events_type_occurred_at_idx').on(t.type, t.occurredAt),
  ],
);

/** What each stored event added to each metric (several rows per event); answers the partial hours at range edges. */
export const metricDeltas = pgTable(
  'metric_deltas',
  {
    eventId: uuid('event_id').notNull(),
    metric: text('metric').notNull(),
    key: text('key').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    value: bigint('value', { mode: 'number' }).notNull(),
  },
  (t) => [index('metric_deltas_metric_occurred_at_idx').on(t.metric, t.occurredAt)],
);

/** The deltas summed per UTC hour, maintained in the ingest transaction: answers every full hour of a range. */
export const metricHourly = pgTable(
  'metric_hourly',
  {
    metric: text('metric').notNull(),
    key: text('key').notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    value: bigint('value', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'metric_hourly_pkey', columns: [t.metric, t.key, t.bucket] })],
);

/** Latest known activity and role of each user seen in a user event (users total / active; stale tokens). */
export const userStates = pgTable('user_states', {
  userId: uuid('user_id').primaryKey(),
  isActive: boolean('is_active').notNull(),
  role: text('role'),
  lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
});

/** What analytics knows of each invoice (for outstanding amounts and void write-offs). */
export const invoiceStates = pgTable('invoice_states', {
  invoiceId: uuid('invoice_id').primaryKey(),
  currency: text('currency'),
  totalMinor: bigint('total_minor', { mode: 'number' }),
  paidMinor: bigint('paid_minor', { mode: 'number' }).notNull().default(0),
  voided: boolean('voided').notNull().default(false),
});

/** One row per rebuild request; survives swaps (it is not one of the rebuilt tables). */
export const rebuildRuns = pgTable(
  'rebuild_runs',
  {
    id: uuid('id').primaryKey(),
    status: text('status').$type<'running' | 'succeeded' | 'failed'>().notNull(),
    requestedBy: text('requested_by').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    eventsReplayed: integer('events_replayed').notNull().default(0),
    error: text('error'),
  },
  (t) => [index('rebuild_runs_started_at_idx').on(sql`${t.startedAt} desc`)],
);

/** The tables a rebuild recreates and swaps in, in one transaction. */
export const rebuiltTables = ['events', 'metric_deltas', 'metric_hourly', 'user_states', 'invoice_states'] as const;
