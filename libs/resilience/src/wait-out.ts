import type { DependencyMonitor } from './dependency-monitor.js';

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential delays between `minMs` and `maxMs`; `reset()` after a success. */
export function backoff({ minMs = 50, maxMs = 5_000 }: { minMs?: number; maxMs?: number } = {}) {
  let next = minMs;
  return {
    next(): number {
      const current = next;
      next = Math.min(next * 2, maxMs);
      return current;
    },
    reset(): void {
      next = minMs;
    },
  };
}

export type Backoff = ReturnType<typeof backoff>;

/**
 * After an infrastructure fault: waits until the monitor sees the dependency answer again, then
 * a growing delay, so a fault the probe cannot see (the probe passes, the work still fails) is
 * retried calmly instead of in a tight loop. False when `signal` aborted meanwhile.
 */
export async function waitOut(monitor: Pick<DependencyMonitor, 'whenUp'>, delays: Backoff, signal?: AbortSignal): Promise<boolean> {
  if (!(await monitor.whenUp(signal))) return false;
  return pause(delays.next(), signal);
}
