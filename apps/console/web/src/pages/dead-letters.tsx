import { Fragment, useState } from 'react';
import { api } from '../api';
import { ErrorNote, Show, when } from '../states';
import { useApi } from '../use-api';

interface DeadLetter { id: string; subject: string; originalSubject: string; service: string; consumer: string; eventId: string | null; eventType: string | null; reason: string; attempts: number; deadLetteredAt: string }
interface Detail extends DeadLetter { headers: Record<string, string>; payload: unknown }

function Details({ id }: { id: string }) {
  const loaded = useApi<Detail>(`/dead-letters/${id}`);
  return (
    <Show loaded={loaded} what="the dead letter" empty="" isEmpty={() => false}>
      {(d) => <pre className="payload" aria-label="message">{JSON.stringify(d.payload, null, 2)}</pre>}
    </Show>
  );
}

export function DeadLettersPage() {
  const loaded = useApi<DeadLetter[]>('/dead-letters', 5_000);
  const [open, setOpen] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<DeadLetter | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function redrive(letter: DeadLetter) {
    setBusy(true);
    setError(null);
    try {
      const result = await api<{ redriven: number; skipped: { id: string; reason: string }[] }>('/dead-letters/redrive', { method: 'POST', body: { ids: [letter.id], confirm: true } });
      setOutcome(result.redriven === 1 ? `Re-driven to ${letter.originalSubject}: its consumers get it again and apply it once.` : `Not re-driven: ${result.skipped.map((s) => s.reason).join(', ')}`);
      setConfirming(null);
      loaded.reload();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <h2>Dead letters</h2>
      {outcome && <p className="state ok" role="status">{outcome}</p>}
      {error && <ErrorNote>{error}</ErrorNote>}
      <Show loaded={loaded} what="the dead letters" empty="No dead letter: every message was handled.">
        {(letters) => (
          <table>
            <thead><tr><th>when</th><th>original subject</th><th>consumer</th><th>reason</th><th>attempts</th><th></th></tr></thead>
            <tbody>
              {letters.map((d) => (
                <Fragment key={d.id}>
                  <tr data-testid="dead-letter">
                    <td>{when(d.deadLetteredAt)}</td><td>{d.originalSubject}</td><td>{d.consumer}</td><td className="reason">{d.reason}</td><td>{d.attempts}</td>
                    <td className="actions">
                      <button type="button" className="secondary" onClick={() => setOpen(open === d.id ? null : d.id)}>{open === d.id ? 'Hide message' : 'Show message'}</button>
                      <button type="button" onClick={() => setConfirming(d)}>Re-drive</button>
                    </td>
                  </tr>
                  {open === d.id && (
                    <tr><td colSpan={6}><Details id={d.id} /></td></tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
      </Show>
      {confirming && (
        <div className="modal" role="dialog" aria-modal="true" aria-label="Confirm re-drive">
          <div>
            <h3>Re-drive this message?</h3>
            <p>It is published again to <strong>{confirming.originalSubject}</strong> with its original id; every consumer of that subject receives it and applies it at most once.</p>
            <p className="muted">Event {confirming.eventId ?? '?'} · failed in {confirming.consumer}: {confirming.reason}</p>
            <div className="actions">
              <button type="button" className="secondary" onClick={() => setConfirming(null)} disabled={busy}>Cancel</button>
              <button type="button" onClick={() => void redrive(confirming)} disabled={busy}>{busy ? 'Re-driving…' : 'Yes, re-drive'}</button>
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
