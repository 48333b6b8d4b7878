import type { WatchedApp } from '../config.js';

export interface AppReadiness {
  app: WatchedApp;
  url: string;
  state: 'ready' | 'not_ready' | 'unreachable';
  /** Each dependency's state as the app itself reports it (`postgres`, `nats`, the gateway's services). */
  checks: Record<string, string>;
  error: string | null;
}

/** Asks each app's own `/ready` (never through the gateway, which refuses those paths). */
export async function readinessOf(apps: Record<WatchedApp, string>, timeoutMs: number): Promise<AppReadiness[]> {
  return Promise.all(
    (Object.entries(apps) as [WatchedApp, string][]).map(async ([app, url]): Promise<AppReadiness> => {
      try {
        const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(timeoutMs) });
        const body = (await response.json().catch(() => null)) as { data?: { checks?: Record<string, string> } } | null;
        const checks = body?.data?.checks ?? {};
        return { app, url, state: response.ok ? 'ready' : 'not_ready', checks, error: response.ok ? null : `/ready answered ${response.status}` };
      } catch (error) {
        return { app, url, state: 'unreachable', checks: {}, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}
