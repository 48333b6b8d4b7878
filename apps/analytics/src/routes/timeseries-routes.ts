import { envelope, errorResponses, ok, requireRole, type HttpApp } from '@platform/http-kit';
import { z } from 'zod';
import { defaultSeriesRange } from '../domain/time-range.js';
import type { AnalyticsDeps } from './deps.js';
import { assertRange, rangeQuery } from './query-schemas.js';

/** Public metric names → stored metric: signups and logins count events, revenue sums payment amounts, payments counts them. */
const seriesMetrics = { signups: 'signups', logins: 'logins', revenue: 'revenue', payments: 'payments' } as const;

const SeriesQuery = z.strictObject({
  metric: z.enum(['signups', 'logins', 'revenue', 'payments'], 'metric must be signups, logins, revenue or payments'),
  interval: z.enum(['hour', 'day'], 'interval must be hour or day').default('day'),
  ...rangeQuery,
  currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code in upper case').optional(),
});

const Point = z.object({ bucket: z.string(), value: z.number().int() });

/**
 * `GET /api/v1/analytics/timeseries?metric&interval&from&to[&currency]`: one point per UTC hour or
 * day over [from, to), empty buckets as 0; at most 10,000 buckets. `currency` narrows revenue and
 * payments to one currency (without it, amounts of every currency are added up).
 */
export function registerTimeseriesRoutes(app: HttpApp, { metrics }: AnalyticsDeps): void {
  app.get('/api/v1/analytics/timeseries', {
    onRequest: [requireRole('admin')],
    schema: {
      tags: ['analytics'],
      summary: 'One metric per hour or day over a range (admin)',
      querystring: SeriesQuery,
      response: { 200: envelope(z.array(Point)), ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const { metric, interval, currency } = request.query;
    const { from, to } = defaultSeriesRange(interval, new Date(), request.query.from, request.query.to);
    assertRange(from, to, interval);
    const key = metric === 'revenue' || metric === 'payments' ? currency : undefined;
    const points = await metrics.series(seriesMetrics[metric], interval, from, to, key);
    return ok(reply, points.map((p) => ({ bucket: p.bucket.toISOString(), value: p.value })));
  });
}
