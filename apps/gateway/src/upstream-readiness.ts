import type { ReadinessChecks } from '@platform/http-kit';
import { probeReady, type Upstreams } from './proxy/replicas.js';

/**
 * The gateway is ready when at least one replica of every service says it is ready itself (its
 * database and NATS included), so one call to the gateway's /ready tells an operator whether the
 * whole platform can serve. Each probe also feeds the rotation: a replica that is not ready
 * (starting, draining after SIGTERM, gone) stops getting requests until it is.
 */
export function upstreamReadiness(upstreams: Upstreams, timeoutMs: number): ReadinessChecks {
  return Object.fromEntries(
    Object.values(upstreams).map((replicas) => [
      replicas.name,
      async () => {
        const results = await Promise.allSettled(replicas.bases.map((base) => probeReady(base, timeoutMs)));
        results.forEach((result, i) => {
          const base = replicas.bases[i] as string;
          if (result.status === 'fulfilled') replicas.markUp(base);
          else replicas.markDown(base, (result.reason as Error).message);
        });
        const ready = results.filter((result) => result.status === 'fulfilled').length;
        if (ready === 0) throw new Error(`${replicas.name}: no replica ready (${results.length} configured)`);
      },
    ]),
  );
}
