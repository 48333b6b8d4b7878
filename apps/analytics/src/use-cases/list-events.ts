import type { EventFilter } from '../data/events-queries.js';
import type { AnalyticsDeps } from '../deps.js';

/** A page of the stored event log, newest first; `from` inclusive, `to` exclusive on occurredAt. */
export function listEvents({ events }: Pick<AnalyticsDeps, 'events'>, filter: EventFilter, page: { page: number; pageSize: number }) {
  return events.list(filter, page);
}
