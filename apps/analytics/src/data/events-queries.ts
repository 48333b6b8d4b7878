import { findPage, type Db, type Page } from '@platform/db-kit';
import { and, count, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { events } from './schema.js';

export interface EventFilter {
  type?: string;
  from?: Date;
  to?: Date;
  known?: boolean;
}

export type StoredEventRow = typeof events.$inferSelect;
export type EventsQueries = ReturnType<typeof eventsQueries>;

/** The stored event log, newest first; `from` inclusive, `to` exclusive on occurredAt. */
export function eventsQueries(db: Db) {
  const where = (f: EventFilter): SQL | undefined =>
    and(
      f.type === undefined ? undefined : eq(events.type, f.type),
      f.from === undefined ? undefined : gte(events.occurredAt, f.from),
      f.to === undefined ? undefined : lt(events.occurredAt, f.to),
      f.known === undefined ? undefined : eq(events.known, f.known),
    );
  return {
    list(filter: EventFilter, query: { page: number; pageSize: number }): Promise<Page<StoredEventRow>> {
      const condition = where(filter);
      return findPage(
        query,
        ({ limit, offset }) =>
          db.select().from(events).where(condition).orderBy(desc(events.occurredAt), desc(events.eventId)).limit(limit).offset(offset),
        async () => (await db.select({ n: count() }).from(events).where(condition))[0]?.n ?? 0,
      );
    },
  };
}
