import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Show, num } from '../states';
import { useApi } from '../use-api';

type Point = { at: string; requestRate: number | null; errorRate: number | null; p95Ms: number | null };
interface AppMetrics {
  app: string;
  available: boolean;
  error: string | null;
  now: { requestRate: number | null; errorRate: number | null; p95Ms: number | null; meanMs: number | null; outboxBacklog: number | null; outboxOldestAgeSeconds: number | null; deadLetters: number | null };
  series: Point[];
}

const colors = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed'];
const time = (iso: string) => new Date(iso).toLocaleTimeString();

/** One chart with a line per app: the apps' series merged by scrape time. */
function Chart({ metrics, field, unit, scale = 1 }: { metrics: AppMetrics[]; field: keyof Omit<Point, 'at'>; unit: string; scale?: number }) {
  const rows = new Map<string, Record<string, number | string | null>>();
  for (const m of metrics) {
    for (const p of m.series) {
      const value = p[field];
      rows.set(p.at, { ...(rows.get(p.at) ?? { at: p.at }), [m.app]: value === null ? null : value * scale });
    }
  }
  const data = [...rows.values()].sort((a, b) => String(a.at).localeCompare(String(b.at)));
  return (
    <ResponsiveContainer width="100%" height={180}>
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="at" tickFormatter={time} minTickGap={40} />
        <YAxis unit={unit} width={70} domain={[0, (max: number) => Math.max(max, scale === 100 ? 1 : 0.1)]} tickFormatter={(v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(2).replace(/\.?0+$/, ''))} />
        <Tooltip labelFormatter={(v) => time(String(v))} />
        <Legend />
        {metrics.map((m, i) => (
          <Line key={m.app} type="monotone" dataKey={m.app} stroke={colors[i % colors.length]} dot={{ r: 2 }} isAnimationActive={false} connectNulls />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

export function MetricsPage() {
  const loaded = useApi<AppMetrics[]>('/metrics', 5_000);
  return (
    <section>
      <h2>Traffic and backlogs</h2>
      <Show loaded={loaded} what="the metrics" empty="No app is configured." >
        {(metrics) => {
          const missing = metrics.filter((m) => !m.available);
          const backlog = metrics.filter((m) => m.now.outboxBacklog !== null).map((m) => ({ app: m.app, backlog: m.now.outboxBacklog, deadLetters: m.now.deadLetters ?? 0 }));
          return (
            <>
              {missing.length > 0 && (
                <p className="state empty">No metrics from {missing.map((m) => `${m.app} (${m.error ?? 'no answer'})`).join(', ')}. Rates appear once two scrapes exist (every 5 s while this page is open).</p>
              )}
              <table>
                <thead><tr><th>app</th><th>requests/s</th><th>errors (5xx)</th><th>p95 latency</th><th>mean latency</th><th>outbox backlog</th><th>oldest unpublished</th></tr></thead>
                <tbody>
                  {metrics.map((m) => (
                    <tr key={m.app}>
                      <td>{m.app}</td><td>{num(m.now.requestRate, 2)}</td>
                      <td>{m.now.errorRate === null ? '—' : `${(m.now.errorRate * 100).toFixed(1)} %`}</td>
                      <td>{m.now.p95Ms === null ? '—' : `≤ ${num(m.now.p95Ms)} ms`}</td><td>{m.now.meanMs === null ? '—' : `${num(m.now.meanMs, 1)} ms`}</td>
                      <td>{num(m.now.outboxBacklog)}</td><td>{m.now.outboxOldestAgeSeconds === null ? '—' : `${num(m.now.outboxOldestAgeSeconds)} s`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="charts">
                <figure><figcaption>Request rate</figcaption><Chart metrics={metrics} field="requestRate" unit="/s" /></figure>
                <figure><figcaption>Error rate (share of 5xx)</figcaption><Chart metrics={metrics} field="errorRate" unit=" %" scale={100} /></figure>
                <figure><figcaption>Latency, p95</figcaption><Chart metrics={metrics} field="p95Ms" unit=" ms" /></figure>
                <figure>
                  <figcaption>Outbox backlog and dead letters</figcaption>
                  {backlog.length === 0 ? (
                    <p className="state empty">No app reports an outbox backlog yet.</p>
                  ) : (
                    <ResponsiveContainer width="100%" height={180}>
                      <BarChart data={backlog}>
                        <CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="app" /><YAxis allowDecimals={false} /><Tooltip /><Legend />
                        <Bar dataKey="backlog" name="outbox backlog" fill="#2563eb" isAnimationActive={false} />
                        <Bar dataKey="deadLetters" name="dead letters" fill="#db2777" isAnimationActive={false} />
                      </BarChart>
                    </ResponsiveContainer>
                  )}
                </figure>
              </div>
            </>
          );
        }}
      </Show>
    </section>
  );
}
