import type { AnalyticsDeps } from '../deps.js';
import type { Interval } from '../domain/time-range.js';

/** Public metric names → stored metric: signups and logins count events, revenue sums payment amounts, payments counts them. */
const seriesMetrics = { signups: 'signups', logins: 'logins', revenue: 'revenue', payments: 'payments' } as const;

export type SeriesMetric = keyof typeof seriesMetrics;

export interface SeriesQuery {
  metric: SeriesMetric;
  interval: Interval;
  from: Date;
  to: Date;
  /** Narrows revenue and payments to one currency (without it, amounts of every currency are added up). */
  currency?: string;
}

/** One point per UTC hour or day over [from, to), empty buckets as 0. */
export function getTimeseries({ figures }: Pick<AnalyticsDeps, 'figures'>, { metric, interval, from, to, currency }: SeriesQuery) {
  const key = metric === 'revenue' || metric === 'payments' ? currency : undefined;
  return figures.series(seriesMetrics[metric], interval, from, to, key);
}
