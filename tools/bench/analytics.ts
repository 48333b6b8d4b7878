// Analytics: ingest rate of a 100,000-event backlog, and query latency over 1,000,000 stored events.
import { randomUUID } from 'node:crypto';
import type { EventType } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { ensureStreams } from '@platform/messaging';
import { createTestServiceEnv, type TestServiceEnv } from '@platform/service-kit/testing';
import type { Sql } from 'postgres';
import { buildApp } from '../../apps/analytics/src/app.js';
import type { BenchFigure, BenchScenario } from './types.js';

const BACKLOG = 100_000;
const STORED = 1_000_000;
const CALLS = 50;

/** A realistic mix: mostly logins and notifications, some registrations, invoices and payments. */
const mix: EventType[] = [
  'users.user.registered.v1',
  'users.user.logged_in.v1',
  'users.user.logged_in.v1',
  'users.user.logged_in.v1',
  'billing.invoice.issued.v1',
  'billing.payment.received.v1',
  'billing.account.created.v1',
  'notifications.notification.sent.v1',
  'notifications.notification.sent.v1',
  'notifications.notification.failed.v1',
];

async function publishBacklog(env: TestServiceEnv, n: number, inFlight = 1024): Promise<number> {
  const started = performance.now();
  const pending = new Set<Promise<unknown>>();
  for (let i = 0; i < n; i++) {
    const event = sampleEvent(mix[i % mix.length]!);
    const p = env.messaging.js.publish(env.messaging.subject(event.type), JSON.stringify(event), { msgID: event.id, timeout: 30_000 });
    pending.add(p);
    void p.finally(() => pending.delete(p));
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
  return performance.now() - started;
}

async function measureIngest(log: (m: string) => void): Promise<BenchFigure[]> {
  const env = await createTestServiceEnv('analytics', { logLevel: 'warn' });
  try {
    await ensureStreams({ jsm: env.messaging.jsm, namespace: env.messaging.namespace }); // file storage, as in production
    const publishMs = await publishBacklog(env, BACKLOG);
    log(`published ${BACKLOG} events in ${Math.round(publishMs)} ms`);
    const sql = env.database.sql;
    const started = performance.now();
    const app = await buildApp(env.config);
    try {
      for (;;) {
        const [{ n }] = (await sql`select count(*)::int as n from events`) as unknown as [{ n: number }];
        if (n >= BACKLOG) break;
        if (performance.now() - started > 600_000) throw new Error(`only ${n} events stored after 10 minutes`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const seconds = (performance.now() - started) / 1000;
      const rate = Math.round(BACKLOG / seconds);
      log(`stored ${BACKLOG} events in ${seconds.toFixed(1)} s (boot included)`);
      return [{ scenario: 'analytics', name: `ingest of a ${BACKLOG.toLocaleString('en-US')}-event backlog`, metric: 'events/s', value: rate, detail: { seconds: Number(seconds.toFixed(1)), target: '≥ 5000 events/s' } }];
    } finally {
      await app.close();
    }
  } finally {
    await env.cleanup();
  }
}

/**
 * `stored` events (1M by default) over 90 days of 2025 straight into the store, with their deltas
 * and hourly rollup (what ingest would have written). Also seeds the service read scenarios.
 */
export async function bulkLoad(sql: Sql, log: (m: string) => void, stored = STORED): Promise<void> {
  const t0 = performance.now();
  const step = (STORED * 7.776) / stored; // seconds between events: always 90 days
  await sql`
    insert into events (event_id, stream, type, version, source, occurred_at, correlation_id, known, data)
    select gen_random_uuid(), split_part(t.type, '.', 1), t.type, 1, split_part(t.type, '.', 1),
           timestamptz '2025-01-01 00:00:00+00' + (i * ${step}::float8) * interval '1 second', 'bench', true,
           jsonb_build_object('userId', gen_random_uuid(), 'invoiceId', gen_random_uuid(), 'isActive', true,
             'currency', (array['EUR','USD','GBP'])[1 + (i / 10) % 3], 'totalMinor', 10000, 'amountMinor', 2500)
    from generate_series(1, ${stored}::int) as i
    cross join lateral (select (${mix}::text[])[1 + i % ${mix.length}::int] as type) t`;
  await sql`
    insert into metric_deltas (event_id, metric, key, occurred_at, value)
    select e.event_id, d.metric, d.key, e.occurred_at, d.value
    from events e cross join lateral (
      select 'events_stored' as metric, e.stream as key, 1::bigint as value
      union all select m, '', 1 from unnest(array['signups', 'users_total', 'users_active']) m where e.type = 'users.user.registered.v1'
      union all select 'logins', '', 1 where e.type = 'users.user.logged_in.v1'
      union all select 'invoices_issued', '', 1 where e.type = 'billing.invoice.issued.v1'
      union all select 'outstanding', e.data->>'currency', (e.data->>'totalMinor')::bigint where e.type = 'billing.invoice.issued.v1'
      union all select 'revenue', e.data->>'currency', (e.data->>'amountMinor')::bigint where e.type = 'billing.payment.received.v1'
      union all select 'payments', e.data->>'currency', 1 where e.type = 'billing.payment.received.v1'
      union all select 'outstanding', e.data->>'currency', -(e.data->>'amountMinor')::bigint where e.type = 'billing.payment.received.v1'
      union all select 'notifications_sent', '', 1 where e.type = 'notifications.notification.sent.v1'
      union all select 'notifications_failed', '', 1 where e.type = 'notifications.notification.failed.v1'
    ) d
    where e.correlation_id = 'bench'`; // a running service's own events have their deltas already
  await sql`
    insert into metric_hourly (metric, key, bucket, value)
    select metric, key, date_bin('3600 seconds', occurred_at, timestamptz '1970-01-01 00:00:00+00'), sum(value)
    from metric_deltas where occurred_at < timestamptz '2025-04-02 00:00:00+00' group by 1, 2, 3`;
  await sql`analyze`;
  log(`bulk-loaded ${stored.toLocaleString('en-US')} events with deltas and rollup in ${Math.round((performance.now() - t0) / 1000)} s`);
}

async function latency(url: string, token: string): Promise<{ p50: number; p99: number; mean: number }> {
  const call = async () => {
    const t = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`${url} → ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - t;
  };
  for (let i = 0; i < 5; i++) await call(); // warm up: prepared statements, caches
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) times.push(await call());
  times.sort((a, b) => a - b);
  const at = (q: number) => Number(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!.toFixed(1));
  return { p50: at(0.5), p99: at(0.99), mean: Number((times.reduce((a, b) => a + b, 0) / times.length).toFixed(1)) };
}

async function measureQueries(log: (m: string) => void): Promise<BenchFigure[]> {
  const env = await createTestServiceEnv('analytics', { logLevel: 'warn' });
  try {
    const app = await buildApp(env.config);
    try {
      await bulkLoad(env.database.sql, log);
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      const token = await env.token({ sub: randomUUID(), role: 'admin' });
      const queries: Array<[string, string]> = [
        ['summary, all time', '/api/v1/analytics/summary'],
        ['summary, 30 days with partial-hour edges', '/api/v1/analytics/summary?from=2025-02-01T10:17:00Z&to=2025-03-03T15:42:00Z'],
        ['timeseries signups, 90 days daily', '/api/v1/analytics/timeseries?metric=signups&interval=day&from=2025-01-01&to=2025-04-01'],
        ['timeseries revenue EUR, 90 days daily', '/api/v1/analytics/timeseries?metric=revenue&currency=EUR&interval=day&from=2025-01-01&to=2025-04-01'],
        ['timeseries logins, 90 days hourly', '/api/v1/analytics/timeseries?metric=logins&interval=hour&from=2025-01-01T00:30:00Z&to=2025-04-01T00:00:00Z'],
      ];
      const figures: BenchFigure[] = [];
      for (const [name, path] of queries) {
        const { p50, p99, mean } = await latency(`${address}${path}`, token);
        log(`${name}: p50 ${p50} ms, p99 ${p99} ms`);
        figures.push({ scenario: 'analytics', name: `${name} over 1M events`, metric: 'ms p50', value: p50, detail: { p99, mean, calls: CALLS, target: '< 100 ms' } });
      }
      return figures;
    } finally {
      await app.close();
    }
  } finally {
    await env.cleanup();
  }
}

export const analyticsScenario: BenchScenario = {
  name: 'analytics',
  servers: 'in-process',
  description: 'analytics ingest of a 100,000-event backlog and query latency over 1,000,000 stored events',
  async run({ log }) {
    return [...(await measureIngest(log)), ...(await measureQueries(log))];
  },
};
