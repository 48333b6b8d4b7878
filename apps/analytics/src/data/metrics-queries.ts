import type { PendingQuery, Row, Sql } from 'postgres';
import type { MetricName } from '../domain/metrics.js';
import { pgTime } from './pg-time.js';
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

    /** One value per UTC bucket over [from, to), empty buckets as 0. */
    async series(metric: MetricName, interval: Interval, from: Date, to: Date, key?: string): Promise<Array<{ bucket: Date; value: number }>> {
      const step = `${intervalMs[interval] / 1000} seconds`; // absolute seconds: no DST arithmetic
      const size = intervalMs[interval];
      const first = new Date(Math.floor(from.getTime() / size) * size);
      const last = new Date(Math.ceil(to.getTime() / size) * size - size);
      const rows = await sql<{ bucket: string | Date; value: string }[]>`
        select g.bucket, coalesce(a.value, 0)::bigint as value
        from generate_series(${iso(first)}::timestamptz, ${iso(last)}::timestamptz, ${step}::interval) as g(bucket)
        left join (
          select date_bin(${step}::interval, t, timestamptz '1970-01-01 00:00:00+00') as bucket, sum(value) as value
          from (${sources([metric], from, to, key)}) s group by 1
        ) a using (bucket)
        order by g.bucket`;
      return rows.map((r) => ({ bucket: pgTime(r.bucket), value: Number(r.value) }));
    },
  };
}

export type MetricsQueries = ReturnType<typeof metricsQueries>;
