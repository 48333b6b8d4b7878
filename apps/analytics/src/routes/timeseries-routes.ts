import { currencySchema, envelope, errorResponses, ok, type RouteRegistrar } from '@platform/http-kit';
import * as z from 'zod';
import type { AnalyticsDeps } from '../deps.js';
import { defaultSeriesRange } from '../domain/time-range.js';
import { getTimeseries } from '../use-cases/get-timeseries.js';
import { assertRange, rangeQuery } from './schemas.js';

const SeriesQuery = z.strictObject({
  metric: z.enum(['signups', 'logins', 'revenue', 'payments'], 'metric must be signups, logins, revenue or payments'),
  interval: z.enum(['hour', 'day'], 'interval must be hour or day').default('day'),
  ...rangeQuery,
  currency: currencySchema.optional(),
});

const Point = z.object({ bucket: z.string(), value: z.number().int() });

/**
 * `GET /timeseries?metric&interval&from&to[&currency]`: one point per UTC hour or day over
 * [from, to), empty buckets as 0; at most 10,000 buckets (default range: the last 30 days or 48 hours).
 */
export const timeseriesRoutes: RouteRegistrar<AnalyticsDeps> = (app, deps) => {
  app.get('/timeseries', {
    schema: {
      summary: 'One metric per hour or day over a range (admin)',
      querystring: SeriesQuery,
      response: { 200: envelope(z.array(Point)), ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const { metric, interval, currency } = request.query;
    const { from, to } = defaultSeriesRange(interval, new Date(), request.query.from, request.query.to);
    assertRange(from, to, interval);
    const points = await getTimeseries(deps, { metric, interval, from, to, currency });
    return ok(reply, points.map((p) => ({ bucket: p.bucket.toISOString(), value: p.value })));
  });
};
