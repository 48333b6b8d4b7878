import type { Logger } from '@platform/logging';
import { isInfrastructureFault, pause } from '@platform/resilience';

/**
 * A background loop of a service (retention, a mail sender, a projection rebuild...), run by
 * createService: started after the consumers, stopped before them (reverse order), its
 * `check` reported in `/ready` under its name.
 */
export interface ServiceWorker {
  /** Its check's name in `/ready`, and its log lines' `worker`. */
  readonly name: string;
  start(): Promise<void> | void;
  /** Finishes the work in hand and stops; resolves when it has. */
  stop(): Promise<void>;
  /** Throws when the worker cannot do its job (not running, its loop gone): `/ready` says `down`. */
  check?(): Promise<void> | void;
}

export interface PeriodicWorkerOptions {
  name: string;
  logger: Logger;
  /** Between the end of one run and the start of the next (±10 % jitter, so replicas drift apart). */
  intervalMs: number;
  /** Before the first run, so a boot is not slowed by it (default: 10 s or the interval, whichever is shorter). */
  initialDelayMs?: number;
  /** One round of work; `signal` aborts on stop. */
  run(signal: AbortSignal): Promise<void>;
}

export interface PeriodicWorker extends ServiceWorker {
  /** Throws unless started and not stopped. */
  check(): void;
  /** One round now, outside the schedule (tests, operators); rejects with the round's error. */
  runOnce(): Promise<void>;
}

/** A worker that runs one round every `intervalMs`; a failing round is logged and the next one comes anyway. */
export function createPeriodicWorker(options: PeriodicWorkerOptions): PeriodicWorker {
  const { name, intervalMs } = options;
  const logger = options.logger.child({ worker: name });
  const initialDelayMs = options.initialDelayMs ?? Math.min(10_000, intervalMs);
  let stopping = new AbortController();
  let loop: Promise<void> | undefined;

  async function round(): Promise<void> {
    try {
      await options.run(stopping.signal);
    } catch (err) {
      // The database being away is an outage, the next round will catch up; anything else is a bug.
      if (isInfrastructureFault(err)) logger.warn({ reason: String(err) }, 'round skipped: dependency unavailable');
      else logger.error({ err }, 'round failed');
    }
  }

  async function run(): Promise<void> {
    let wait = initialDelayMs;
    while (await pause(wait, stopping.signal)) {
      await round();
      wait = intervalMs * (0.9 + Math.random() * 0.2);
    }
  }

  return {
    name,
    start() {
      if (loop) return;
      stopping = new AbortController();
      loop = run();
      logger.info({ intervalMs }, 'worker started');
    },
    async stop() {
      if (!loop) return;
      stopping.abort();
      await loop;
      loop = undefined;
      logger.info('worker stopped');
    },
    check() {
      if (!loop) throw new Error(`${name} is not running`);
    },
    runOnce: () => options.run(stopping.signal),
  };
}
