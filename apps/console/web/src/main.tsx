import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { api, loadSession, saveSession, whenUnauthorized, type AdminSession } from './api';
import { DeadLettersPage } from './pages/dead-letters';
import { DeliveriesPage } from './pages/deliveries';
import { EventsPage } from './pages/events';
import { LoginPage } from './pages/login';
import { MetricsPage } from './pages/metrics';
import { PlatformPage } from './pages/platform';
import { TracePage } from './pages/trace';
import './styles.css';

const pages = [
  ['platform', 'Platform'],
  ['metrics', 'Metrics'],
  ['dead-letters', 'Dead letters'],
  ['events', 'Events'],
  ['deliveries', 'E-mail deliveries'],
  ['trace', 'Trace'],
] as const;
type Page = (typeof pages)[number][0];

/** `#/events`, `#/trace/<request id>`: pages are in the hash, so a reload keeps the page. */
function readHash(): { page: Page; arg: string } {
  const [, page = 'platform', arg = ''] = window.location.hash.split('/');
  return { page: (pages.some(([p]) => p === page) ? page : 'platform') as Page, arg: decodeURIComponent(arg) };
}

function Console() {
  const [session, setSession] = useState<AdminSession | null>(loadSession);
  const [notice, setNotice] = useState<string | null>(null);
  const [route, setRoute] = useState(readHash);

  useEffect(() => {
    const onHash = () => setRoute(readHash());
    window.addEventListener('hashchange', onHash);
    whenUnauthorized((message) => {
      saveSession(null);
      setSession(null);
      setNotice(`Your session ended (${message}); log in again.`);
    });
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  if (!session) {
    return <LoginPage notice={notice} onLogin={(s) => (saveSession(s), setSession(s), setNotice(null))} />;
  }
  const go = (page: Page, arg = '') => {
    window.location.hash = `/${page}${arg ? `/${encodeURIComponent(arg)}` : ''}`;
  };
  const logout = async () => {
    await api('/session/logout', { method: 'POST', body: { refreshToken: session.refreshToken } }).catch(() => undefined);
    saveSession(null);
    setSession(null);
  };
  return (
    <div className="shell">
      <header>
        <strong>Platform console</strong>
        <nav>
          {pages.map(([page, title]) => (
            <a key={page} href={`#/${page}`} aria-current={route.page === page ? 'page' : undefined}>{title}</a>
          ))}
        </nav>
        <span className="who">{session.admin.email} <button type="button" className="secondary" onClick={() => void logout()}>Log out</button></span>
      </header>
      <main>
        {route.page === 'platform' && <PlatformPage />}
        {route.page === 'metrics' && <MetricsPage />}
        {route.page === 'dead-letters' && <DeadLettersPage />}
        {route.page === 'events' && <EventsPage onTrace={(id) => go('trace', id)} />}
        {route.page === 'deliveries' && <DeliveriesPage />}
        {route.page === 'trace' && <TracePage key={route.arg} requestId={route.arg} onLookup={(id) => go('trace', id)} />}
      </main>
    </div>
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<StrictMode><Console /></StrictMode>);
