/**
 * Time ranges and buckets, all in UTC. A range is half-open: [from, to) — `from` inclusive,
 * `to` exclusive — so consecutive ranges never count an event twice. Buckets are aligned to the
 * UTC hour or day that contains them; the first bucket is the one containing `from`, the last the
 * one containing the instant just before `to`.
 */
export type Interval = 'hour' | 'day';

export const MAX_BUCKETS = 10_000;
const HOUR_MS = 3_600_000;
export const intervalMs: Record<Interval, number> = { hour: HOUR_MS, day: 24 * HOUR_MS };

/** Start of the UTC hour / day containing `t`. */
export function floorTo(t: Date, interval: Interval): Date {
  const size = intervalMs[interval];
  return new Date(Math.floor(t.getTime() / size) * size);
}

/** The first UTC hour / day boundary at or after `t`. */
export function ceilTo(t: Date, interval: Interval): Date {
  const size = intervalMs[interval];
  return new Date(Math.ceil(t.getTime() / size) * size);
}

/** Number of buckets a series over [from, to) has (from < to). */
export function bucketCount(from: Date, to: Date, interval: Interval): number {
  return Math.ceil((to.getTime() - floorTo(from, interval).getTime()) / intervalMs[interval]);
}

/** Bucket starts of a series over [from, to), oldest first. */
export function bucketStarts(from: Date, to: Date, interval: Interval): Date[] {
  const first = floorTo(from, interval).getTime();
  return Array.from({ length: bucketCount(from, to, interval) }, (_, i) => new Date(first + i * intervalMs[interval]));
}

export type RangeProblem = { path: 'from' | 'to'; message: string };

/** Why a range is refused, or null: from must be before to; a series may not exceed MAX_BUCKETS. */
export function checkRange(from: Date | null, to: Date | null, interval?: Interval): RangeProblem | null {
  if (from && to && from.getTime() >= to.getTime()) return { path: 'from', message: 'from must be before to' };
  if (interval && from && to && bucketCount(from, to, interval) > MAX_BUCKETS) {
    return { path: 'from', message: `the range holds more than ${MAX_BUCKETS} ${interval} buckets` };
  }
  return null;
}

/** A sub-range of [from, to): null bounds are open (all time). */
export interface Span {
  from: Date | null;
  to: Date | null;
}

/**
 * How a range is answered exactly: the whole UTC hours inside it come from the hourly rollup,
 * the partial hours at its edges from the per-event deltas. The pieces never overlap.
 */
export function splitRange(from: Date | null, to: Date | null): { hours: Span | null; edges: Span[] } {
  const hoursFrom = from ? ceilTo(from, 'hour') : null;
  const hoursTo = to ? floorTo(to, 'hour') : null;
  if (hoursFrom && hoursTo && hoursFrom.getTime() >= hoursTo.getTime()) {
    return { hours: null, edges: [{ from, to }] };
  }
  const edges: Span[] = [];
  if (from && hoursFrom && from.getTime() < hoursFrom.getTime()) edges.push({ from, to: hoursFrom });
  if (to && hoursTo && hoursTo.getTime() < to.getTime()) edges.push({ from: hoursTo, to });
  return { hours: { from: hoursFrom, to: hoursTo }, edges };
}

/** Default series range when the caller gives none: the last 30 days (day) or 48 hours (hour) up to now. */
export function defaultSeriesRange(interval: Interval, now: Date, from?: Date, to?: Date): { from: Date; to: Date } {
  const end = to ?? now;
  const span = interval === 'day' ? 30 * 24 * HOUR_MS : 48 * HOUR_MS;
  return { from: from ?? new Date(end.getTime() - span), to: end };
}
