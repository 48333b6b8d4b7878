import { useState, type FormEvent } from 'react';
import { api, type AdminSession } from '../api';
import { ErrorNote } from '../states';

export function LoginPage({ notice, onLogin }: { notice: string | null; onLogin: (session: AdminSession) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await api<AdminSession>('/session', { method: 'POST', body: { email, password }, token: null }));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form onSubmit={submit} aria-label="Log in">
        <h1>Platform console</h1>
        <p>Log in with an admin account of the platform.</p>
        {notice && <ErrorNote>{notice}</ErrorNote>}
        <label>
          E-mail
          <input type="email" name="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && <ErrorNote>{error}</ErrorNote>}
        <button type="submit" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
    </main>
  );
}
