import { envelope, errorResponses, ok, requireRole, type HttpApp } from '@platform/http-kit';
import { z } from 'zod';
import type { MetricSums } from '../data/metrics-queries.js';
import type { AnalyticsDeps } from './deps.js';
import { assertRange, rangeQuery } from './query-schemas.js';

const perCurrency = z.record(z.string(), z.number().int());

const Summary = z.object({
  users: z.object({ total: z.number().int(), active: z.number().int(), registered: z.number().int() }),
  billing: z.object({ invoicesIssued: z.number().int(), revenueMinor: perCurrency, outstandingMinor: perCurrency }),
  notifications: z.object({ sent: z.number().int(), failed: z.number().int() }),
  events: z.object({ stored: z.number().int(), unknown: z.number().int() }),
});

const total = (sums: MetricSums, metric: string) => [...(sums.get(metric)?.values() ?? [])].reduce((a, b) => a + b, 0);
const byKey = (sums: MetricSums, metric: string) => Object.fromEntries([...(sums.get(metric) ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b)));

/**
 * `GET /api/v1/analytics/summary?from&to`: flows (registered, invoices issued, revenue,
 * notifications, events) count inside [from, to); balances (users total / active, outstanding)
 * are as of `to`. No `from`: since the beginning; no `to`: everything stored so far.
 */
export function registerSummaryRoutes(app: HttpApp, { metrics }: AnalyticsDeps): void {
  app.get('/api/v1/analytics/summary', {
    onRequest: [requireRole('admin')],
    schema: {
      tags: ['analytics'],
      summary: 'Users, billing and notification metrics for a range (admin)',
      querystring: z.strictObject(rangeQuery),
      response: { 200: envelope(Summary), ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const from = request.query.from ?? null;
    const to = request.query.to ?? null;
    assertRange(from, to);
    const [flows, balances] = await Promise.all([
      metrics.sums(['signups', 'invoices_issued', 'revenue', 'notifications_sent', 'notifications_failed', 'events_stored', 'events_unknown'], from, to),
      metrics.sums(['users_total', 'users_active', 'outstanding'], null, to),
    ]);
    return ok(reply, {
      users: { total: total(balances, 'users_total'), active: total(balances, 'users_active'), registered: total(flows, 'signups') },
      billing: { invoicesIssued: total(flows, 'invoices_issued'), revenueMinor: byKey(flows, 'revenue'), outstandingMinor: byKey(balances, 'outstanding') },
      notifications: { sent: total(flows, 'notifications_sent'), failed: total(flows, 'notifications_failed') },
      events: { stored: total(flows, 'events_stored'), unknown: total(flows, 'events_unknown') },
    });
  });
}
