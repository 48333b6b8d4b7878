import { useState } from 'react';
import { Show, when } from '../states';
import { useApi } from '../use-api';

interface TraceView {
  requestId: string;
  configured: boolean;
  spans: { traceId: string; spanId: string; parentSpanId: string | null; service: string; name: string; startMs: number; durationMs: number }[];
  traceError: string | null;
  events: { seq: number; subject: string; eventId: string | null; occurredAt: string | null }[];
}

export function TracePage({ requestId, onLookup }: { requestId: string; onLookup: (id: string) => void }) {
  const [input, setInput] = useState(requestId);
  const loaded = useApi<TraceView>(requestId ? `/traces/${encodeURIComponent(requestId)}` : null);
  return (
    <section>
      <h2>Trace of a request</h2>
      <form className="filters" onSubmit={(e) => (e.preventDefault(), onLookup(input.trim()))}>
        <label>Request id <input value={input} onChange={(e) => setInput(e.target.value)} placeholder="x-request-id of a response" /></label>
        <button type="submit" disabled={!input.trim()}>Show</button>
      </form>
      {!requestId ? (
        <p className="state empty">Enter the <code>x-request-id</code> of a response, or pick one on the events page.</p>
      ) : (
        <Show loaded={loaded} what="the trace" empty="" isEmpty={() => false}>
          {(view) => {
            const start = Math.min(...view.spans.map((s) => s.startMs));
            return (
              <>
                {!view.configured && <p className="state empty">Tracing is not configured: set <code>CONSOLE_TRACES_URL</code> to the trace store's query API to see spans here.</p>}
                {view.traceError && <p className="state error" role="alert">The trace store could not be read: {view.traceError}</p>}
                {view.configured && !view.traceError && view.spans.length === 0 && <p className="state empty">No span recorded for this request (yet).</p>}
                {view.spans.length > 0 && (
                  <table>
                    <thead><tr><th>service</th><th>span</th><th>starts at</th><th>duration</th></tr></thead>
                    <tbody>{view.spans.map((s) => <tr key={s.spanId}><td>{s.service}</td><td>{s.name}</td><td>+{(s.startMs - start).toFixed(1)} ms</td><td>{s.durationMs.toFixed(1)} ms</td></tr>)}</tbody>
                  </table>
                )}
                <h3>Events this request caused</h3>
                {view.events.length === 0 ? <p className="state empty">No recent event carries this request id.</p> : (
                  <table>
                    <thead><tr><th>occurred</th><th>subject</th><th>event id</th></tr></thead>
                    <tbody>{view.events.map((e) => <tr key={`${e.subject}-${e.seq}`}><td>{when(e.occurredAt)}</td><td>{e.subject}</td><td className="mono">{e.eventId}</td></tr>)}</tbody>
                  </table>
                )}
              </>
            );
          }}
        </Show>
      )}
    </section>
  );
}
