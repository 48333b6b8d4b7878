import { Show, when } from '../states';
import { useApi } from '../use-api';

interface PlatformMap {
  apps: { app: string; url: string; state: 'ready' | 'not_ready' | 'unreachable'; checks: Record<string, string>; error: string | null; replicas: number | null }[];
  streams: { stream: string; consumers: { consumer: string; service: string | null; pending: number; ackPending: number; redelivered: number; lastActiveAt: string | null }[] }[];
  natsError: string | null;
}

const label = { ready: 'ready', not_ready: 'not ready', unreachable: 'unreachable' } as const;

export function PlatformPage() {
  const loaded = useApi<PlatformMap>('/platform', 3_000);
  return (
    <section>
      <h2>Platform map</h2>
      <Show loaded={loaded} what="the platform map" empty="No service is configured." isEmpty={(d) => d.apps.length === 0}>
        {(map) => (
          <>
            <div className="cards">
              {map.apps.map((a) => (
                <article key={a.app} className={`card ${a.state}`} data-testid={`app-${a.app}`}>
                  <h3>{a.app}</h3>
                  <p className="badge">{label[a.state]}</p>
                  <p className="muted">{a.url}{a.replicas !== null ? ` · ${a.replicas} replica${a.replicas === 1 ? '' : 's'}` : ''}</p>
                  <ul>
                    {Object.entries(a.checks).map(([name, state]) => (
                      <li key={name}>{name}: <strong>{state}</strong></li>
                    ))}
                  </ul>
                  {a.error && <p className="muted">{a.error}</p>}
                </article>
              ))}
            </div>
            <h3>Streams and consumers</h3>
            {map.natsError && <p className="state error" role="alert">NATS could not be read: {map.natsError}</p>}
            {map.streams.length === 0 ? (
              <p className="state empty">No stream has a consumer yet.</p>
            ) : (
              <table>
                <thead>
                  <tr><th>stream</th><th>consumer</th><th>service</th><th>lag (pending)</th><th>unacked</th><th>redelivered</th><th>last active</th></tr>
                </thead>
                <tbody>
                  {map.streams.flatMap((s) =>
                    s.consumers.map((c) => (
                      <tr key={`${s.stream}/${c.consumer}`}>
                        <td>{s.stream}</td><td>{c.consumer}</td><td>{c.service ?? '—'}</td>
                        <td className={c.pending > 0 ? 'warn' : ''}>{c.pending}</td><td>{c.ackPending}</td><td>{c.redelivered}</td><td>{when(c.lastActiveAt)}</td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            )}
          </>
        )}
      </Show>
    </section>
  );
}
