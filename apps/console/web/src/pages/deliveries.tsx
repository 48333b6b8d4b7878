import { useState } from 'react';
import { Show, when } from '../states';
import { useApi } from '../use-api';

interface Delivery { id: string; userId: string; to: string | null; template: string; status: 'pending' | 'sent' | 'failed'; attempts: number; lastError: string | null; sentAt: string | null }

export function DeliveriesPage() {
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const loaded = useApi<Delivery[]>(`/deliveries?page=${page}&pageSize=50${status ? `&status=${status}` : ''}`, 5_000);
  return (
    <section>
      <h2>E-mail deliveries</h2>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Status
          <select value={status} onChange={(e) => (setStatus(e.target.value), setPage(1))}>
            <option value="">all</option><option>pending</option><option>sent</option><option>failed</option>
          </select>
        </label>
        <button type="button" className="secondary" disabled={page === 1} onClick={() => setPage(page - 1)}>Newer</button>
        <button type="button" className="secondary" disabled={(loaded.data?.length ?? 0) < 50} onClick={() => setPage(page + 1)}>Older</button>
      </form>
      <Show loaded={loaded} what="the deliveries" empty="No e-mail delivery yet.">
        {(deliveries) => (
          <table>
            <thead><tr><th>to</th><th>template</th><th>status</th><th>attempts</th><th>sent</th><th>last error</th></tr></thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id} data-testid="delivery">
                  <td>{d.to ?? '(address not known yet)'}</td><td>{d.template}</td><td className={d.status}>{d.status}</td><td>{d.attempts}</td><td>{when(d.sentAt)}</td><td>{d.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}
