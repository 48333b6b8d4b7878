import type { PendingQuery, Row, Sql } from 'postgres';
import type { MetricName } from '../domain/metrics.js';
import { intervalMs, splitRange, type Interval, type Span } from '../domain/time-range.js';

// The client drizzle configured passes timestamps as text both ways: parameters go as ISO strings.
const iso = (d: Date) => d.toISOString();

export type MetricSums = Map<string, Map<string, number>>;

/**
 * Metric queries over the live tables: every metric is a sum of per-event deltas, read from the
 * hourly rollup for whole hours and from the deltas for the partial hours at the range edges.
 */
export function metricsQueries(sql: Sql) {
  const empty = sql``;
  const hourBounds = (span: Span) =>
    sql`${span.from ? sql`and bucket >= ${iso(span.from)}::timestamptz` : empty} ${span.to ? sql`and bucket < ${iso(span.to)}::timestamptz` : empty}`;
  const edgeBounds = (edges: Span[]) =>
    edges
      .map((e) => sql`(${e.from ? sql`occurred_at >= ${iso(e.from)}::timestamptz` : sql`true`} and ${e.to ? sql`occurred_at < ${iso(e.to)}::timestamptz` : sql`true`})`)
      .reduce((acc, part) => sql`${acc} or ${part}`);
  const keyFilter = (key: string | undefined) => (key === undefined ? empty : sql`and key = ${key}`);

  /** Rows `{ t, value }` of one or more metrics inside [from, to): rollup hours plus edge deltas. */
  function sources(metrics: MetricName[], from: Date | null, to: Date | null, key?: string): PendingQuery<Row[]> {
    const { hours, edges } = splitRange(from, to);
    const parts: PendingQuery<Row[]>[] = [];
    if (hours) {
      parts.push(sql`select metric, key, bucket as t, value from metric_hourly
        where metric = any(${metrics}::text[]) ${keyFilter(key)} ${hourBounds(hours)}`);
    }
    if (edges.length > 0) {
      parts.push(sql`select metric, key, occurred_at as t, value from metric_deltas
        where metric = any(${metrics}::text[]) ${keyFilter(key)} and (${edgeBounds(edges)})`);
    }
    return parts.reduce((acc, part) => sql`${acc} union all ${part}`);
  }

  return {
    /** Sum of each metric per key over [from, to) (null: unbounded). */
    async sums(metrics: MetricName[], from: Date | null, to: Date | null): Promise<MetricSums> {
      const rows = await sql<{ metric: string; key: string; value: string }[]>`
        select metric, key, sum(value)::bigint as value from (${sources(metrics, from, to)}) s group by metric, key`;
      const out: MetricSums = new Map();
      for (const r of rows) {
        const byKey = out.get(r.metric) ?? new Map<string, number>();
        byKey.set(r.key, Number(r.value));
        out.set(r.metric, byKey);
      }
      return out;
    },

    /**
     * One value per UTC bucket over [from, to), empty buckets as 0. Postgres sums the buckets that
     * hold something, keyed by their start in epoch milliseconds; the series itself (every bucket,
     * absolute steps, so no DST arithmetic) is laid out here. It used to come back from a
     * generate_series join as timestamptz text, one row per bucket, each parsed by `pgTime`
     * (regex rewrites and a Date parse: the largest item in analytics' own CPU for a 90-day series).
     */
    async series(metric: MetricName, interval: Interval, from: Date, to: Date, key?: string): Promise<Array<{ bucket: Date; value: number }>> {
      const step = `${intervalMs[interval] / 1000} seconds`;
      const size = intervalMs[interval];
      const first = Math.floor(from.getTime() / size) * size;
      const last = Math.ceil(to.getTime() / size) * size - size;
      const rows = await sql<{ ms: string; value: string }[]>`
        select (extract(epoch from date_bin(${step}::interval, t, timestamptz '1970-01-01 00:00:00+00')) * 1000)::bigint as ms, sum(value)::bigint as value
        from (${sources([metric], from, to, key)}) s group by 1`;
      const sums = new Map<number, number>();
      for (const r of rows) sums.set(Number(r.ms), Number(r.value));
      const points: Array<{ bucket: Date; value: number }> = [];
      for (let t = first; t <= last; t += size) points.push({ bucket: new Date(t), value: sums.get(t) ?? 0 });
      return points;
    },
  };
}

export type MetricsQueries = ReturnType<typeof metricsQueries>;
