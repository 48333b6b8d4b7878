import type { MetricSums } from '../data/metrics-queries.js';
import type { AnalyticsDeps } from '../deps.js';

const total = (sums: MetricSums, metric: string) => [...(sums.get(metric)?.values() ?? [])].reduce((a, b) => a + b, 0);
const byKey = (sums: MetricSums, metric: string) => Object.fromEntries([...(sums.get(metric) ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b)));

/**
 * Flows (registered, invoices issued, revenue, notifications, events) count inside [from, to);
 * balances (users total / active, outstanding) are as of `to`. No `from`: since the beginning;
 * no `to`: everything stored so far.
 */
export async function getSummary({ figures }: Pick<AnalyticsDeps, 'figures'>, from: Date | null, to: Date | null) {
  const [flows, balances] = await Promise.all([
    figures.sums(['signups', 'invoices_issued', 'revenue', 'notifications_sent', 'notifications_failed', 'events_stored', 'events_unknown'], from, to),
    figures.sums(['users_total', 'users_active', 'outstanding'], null, to),
  ]);
  return {
    users: { total: total(balances, 'users_total'), active: total(balances, 'users_active'), registered: total(flows, 'signups') },
    billing: { invoicesIssued: total(flows, 'invoices_issued'), revenueMinor: byKey(flows, 'revenue'), outstandingMinor: byKey(balances, 'outstanding') },
    notifications: { sent: total(flows, 'notifications_sent'), failed: total(flows, 'notifications_failed') },
    events: { stored: total(flows, 'events_stored'), unknown: total(flows, 'events_unknown') },
  };
}
