import type { Logger } from '@platform/logging';
import { upstreamNames, type UpstreamName } from '../config.js';
import { httpGet } from '../http-get.js';

/** The replicas of one service, as the gateway sees them. */
export interface ReplicaSet {
  readonly name: UpstreamName;
  readonly bases: readonly string[];
  /**
   * The next replica to send a request to: round robin over those in rotation, skipping `tried`.
   * With none in rotation, one taken out is still tried (its probe may simply not have run yet):
   * a request is refused only once every replica has been tried. Undefined then.
   */
  pick(tried?: ReadonlySet<string>): string | undefined;
  /** A connection to `base` failed or its /ready did not answer 200: out of rotation, probed until it does. */
  markDown(base: string, reason: string): void;
  /** `base` answered its /ready with 200: back in rotation. */
  markUp(base: string): void;
  /** How many replicas are in rotation. */
  available(): number;
  close(): void;
}

export interface ReplicaSetOptions {
  probeIntervalMs: number;
  /** Bound on one probe of /ready. */
  probeTimeoutMs: number;
  logger: Logger;
}

/** GET <base>/ready answered 200 within the timeout. */
export async function probeReady(base: string, timeoutMs: number): Promise<void> {
  const answer = await httpGet(new URL('/ready', base), { timeoutMs });
  if (!answer.ok) throw new Error(`answered ${answer.status}`);
}

export function createReplicaSet(name: UpstreamName, bases: readonly string[], options: ReplicaSetOptions): ReplicaSet {
  const down = new Map<string, NodeJS.Timeout | undefined>();
  let next = 0;
  let closed = false;

  function scheduleProbe(base: string): void {
    if (closed || !down.has(base)) return;
    const timer = setTimeout(() => {
      probeReady(base, options.probeTimeoutMs).then(
        () => set.markUp(base),
        () => scheduleProbe(base),
      );
    }, options.probeIntervalMs);
    timer.unref();
    down.set(base, timer);
  }

  const set: ReplicaSet = {
    name,
    bases,
    pick(tried) {
      // Every request takes this path while all replicas are up: no arrays built per request.
      if (down.size === 0 && (tried === undefined || tried.size === 0)) {
        next = (next + 1) % Number.MAX_SAFE_INTEGER;
        return bases[next % bases.length];
      }
      const candidates = bases.filter((base) => !tried?.has(base));
      if (candidates.length === 0) return undefined;
      const inRotation = candidates.filter((base) => !down.has(base));
      const pool = inRotation.length > 0 ? inRotation : candidates;
      next = (next + 1) % Number.MAX_SAFE_INTEGER;
      return pool[next % pool.length];
    },
    markDown(base, reason) {
      if (down.has(base) || !bases.includes(base)) return;
      down.set(base, undefined);
      options.logger.warn({ upstream: name, replica: base, reason, available: set.available() }, 'upstream replica out of rotation');
      scheduleProbe(base);
    },
    markUp(base) {
      if (!down.has(base)) return;
      clearTimeout(down.get(base));
      down.delete(base);
      options.logger.info({ upstream: name, replica: base, available: set.available() }, 'upstream replica back in rotation');
    },
    available: () => bases.length - down.size,
    close() {
      closed = true;
      for (const timer of down.values()) clearTimeout(timer);
    },
  };
  return set;
}

export type Upstreams = Record<UpstreamName, ReplicaSet>;

export function createUpstreams(urls: Record<UpstreamName, string[]>, options: ReplicaSetOptions): Upstreams {
  return Object.fromEntries(upstreamNames.map((name) => [name, createReplicaSet(name, urls[name], options)])) as Upstreams;
}

/** Replicas in rotation per service (for the `gateway_upstream_replicas_available` gauge). */
export function replicasAvailable(upstreams: Upstreams): Record<UpstreamName, number> {
  return Object.fromEntries(upstreamNames.map((name) => [name, upstreams[name].available()])) as Record<UpstreamName, number>;
}
