import { useState } from 'react';
import { Show, when } from '../states';
import { useApi } from '../use-api';

interface RecentEvent { seq: number; subject: string; type: string | null; eventId: string | null; occurredAt: string | null; correlationId: string | null }

export function EventsPage({ onTrace }: { onTrace: (requestId: string) => void }) {
  const [stream, setStream] = useState('');
  const [subject, setSubject] = useState('');
  const [applied, setApplied] = useState({ stream: '', subject: '' });
  const query = new URLSearchParams(Object.entries(applied).filter(([, v]) => v)).toString();
  const loaded = useApi<RecentEvent[]>(`/events${query ? `?${query}` : ''}`, 3_000);
  return (
    <section>
      <h2>Recent events</h2>
      <form className="filters" onSubmit={(e) => (e.preventDefault(), setApplied({ stream, subject: subject.trim() }))}>
        <label>Stream
          <select value={stream} onChange={(e) => setStream(e.target.value)}>
            <option value="">all</option><option>users</option><option>billing</option><option>notifications</option>
          </select>
        </label>
        <label>Subject <input value={subject} placeholder="users.user.registered.v1 or users.>" onChange={(e) => setSubject(e.target.value)} /></label>
        <button type="submit">Filter</button>
      </form>
      <Show loaded={loaded} what="the events" empty="No event matches yet.">
        {(events) => (
          <table>
            <thead><tr><th>occurred</th><th>subject</th><th>event id</th><th>request</th></tr></thead>
            <tbody>
              {events.map((e) => (
                <tr key={`${e.subject}-${e.seq}`} data-testid="event">
                  <td>{when(e.occurredAt)}</td><td>{e.subject}</td><td className="mono">{e.eventId ?? '—'}</td>
                  <td>{e.correlationId ? <button type="button" className="link" onClick={() => onTrace(e.correlationId ?? '')}>{e.correlationId}</button> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}
