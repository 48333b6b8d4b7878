import type { ReadinessChecks } from '@platform/http-kit';
import type { UpstreamName } from './config.js';

/**
 * The gateway is ready when every service says it is ready itself (its database and NATS
 * included), so one call to the gateway's /ready tells an operator the whole platform's state.
 */
export function upstreamReadiness(upstreams: Record<UpstreamName, string>, timeoutMs: number): ReadinessChecks {
  return Object.fromEntries(
    Object.entries(upstreams).map(([name, baseUrl]) => [
      name,
      async () => {
        const response = await fetch(new URL('/ready', baseUrl), { signal: AbortSignal.timeout(timeoutMs) });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`${name} answered ${response.status}`);
      },
    ]),
  );
}
