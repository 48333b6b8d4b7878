import type { EventsQueries } from '../data/events-queries.js';
import type { MetricsQueries } from '../data/metrics-queries.js';
import type { Rebuilder } from '../rebuild/rebuilder.js';

/** What the analytics routes are given. */
export interface AnalyticsDeps {
  metrics: MetricsQueries;
  events: EventsQueries;
  rebuilder: Rebuilder;
}
