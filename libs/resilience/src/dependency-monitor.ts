import type { Logger } from '@platform/logging';
import { infrastructureFaultCode } from './infrastructure-fault.js';
import { withDeadline } from './with-deadline.js';

export type DependencyState = 'up' | 'suspect' | 'down';

export interface DependencyMonitor {
  readonly name: string;
  /** `suspect` after a reported fault until the first probe answers; `down` once a probe failed too. */
  readonly state: DependencyState;
  /** True only once a probe confirmed the outage (a single reset connection is not an outage). */
  isDown(): boolean;
  /**
   * Feeds an error seen while using the dependency. Returns true when it is an infrastructure
   * fault: the monitor then probes at once and, while the probe fails, again with backoff.
   */
  report(error: unknown): boolean;
  /** Resolves true once the dependency answers (at once when up), false when `signal` aborts first. */
  whenUp(signal?: AbortSignal): Promise<boolean>;
  /** Stops probing; pending `whenUp` calls resolve false. */
  close(): void;
}

export interface DependencyMonitorOptions {
  name: string;
  /** Resolves when the dependency answers (e.g. `select 1`); rejects or hangs past `probeTimeoutMs` when not. */
  probe: () => Promise<unknown>;
  logger?: Logger;
  /** Delay before the second probe, doubling up to `maxDelayMs` (recovery is noticed within that). */
  minDelayMs?: number;
  maxDelayMs?: number;
  probeTimeoutMs?: number;
}

/**
 * Tracks whether one dependency (Postgres, say) is reachable, from the faults its users report
 * plus a probe of its own while it is not. Everyone who uses the dependency shares one monitor,
 * so an outage is detected once and everyone resumes on the same probe that sees it back.
 */
export function createDependencyMonitor(options: DependencyMonitorOptions): DependencyMonitor {
  const { name, probe, logger } = options;
  const minDelayMs = options.minDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 500;
  const probeTimeoutMs = options.probeTimeoutMs ?? 2_000;
  let state: DependencyState = 'up';
  let downSince = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const waiters = new Set<(up: boolean) => void>();

  function settleWaiters(up: boolean): void {
    for (const wake of [...waiters]) wake(up);
    waiters.clear();
  }

  async function probeUntilUp(firstFault: string): Promise<void> {
    let delayMs = minDelayMs;
    for (;;) {
      if (closed) return;
      try {
        await withDeadline(probe(), probeTimeoutMs, () => {
          throw new Error(`probe timed out after ${probeTimeoutMs} ms`);
        });
        if (state === 'down') logger?.info({ dependency: name, downForMs: Date.now() - downSince }, `${name} is reachable again`);
        state = 'up';
        settleWaiters(true);
        return;
      } catch (err) {
        if (state !== 'down') {
          state = 'down';
          downSince = Date.now();
          logger?.warn({ dependency: name, reason: firstFault, probe: err instanceof Error ? err.message : String(err) }, `${name} is unreachable, waiting for it`);
        }
      }
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, delayMs);
        timer.unref();
      });
      delayMs = Math.min(delayMs * 2, maxDelayMs);
    }
  }

  return {
    name,
    get state() {
      return state;
    },
    isDown: () => state === 'down',
    report(error) {
      const code = infrastructureFaultCode(error);
      if (code === undefined) return false;
      if (state === 'up' && !closed) {
        state = 'suspect';
        void probeUntilUp(code);
      }
      return true;
    },
    whenUp(signal) {
      if (state === 'up') return Promise.resolve(true);
      if (closed || signal?.aborted) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const done = (up: boolean) => {
          signal?.removeEventListener('abort', onAbort);
          waiters.delete(done);
          resolve(up);
        };
        const onAbort = () => done(false);
        signal?.addEventListener('abort', onAbort, { once: true });
        // Not up means a probe loop is running (started by `report`); it wakes every waiter.
        waiters.add(done);
      });
    },
    close() {
      closed = true;
      clearTimeout(timer);
      settleWaiters(false);
    },
  };
}
