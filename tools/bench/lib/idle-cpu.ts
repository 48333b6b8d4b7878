// Background CPU: what each process of the platform uses while it is up and nothing is asked of
// it (timers, relay polls, pulls and heartbeats of the consumers, Postgres and NATS keeping their
// connections). A load's CPU per write carries it divided by the rate, so at a low rate it is a
// larger share; reported beside the per-write figures, never subtracted from them.
import type { BenchFigure } from '../types.js';
import { startCpuWindow, type ProcessGroup } from './cpu-meter.js';
import { envNumber, round } from './stats.js';

/** Per group name: ms of CPU per second of wall time. */
export type IdleCpu = Map<string, number>;

/** Opens a precise CPU window (schedstat) over `groups` for `seconds`, with nothing sent to them. */
export async function measureIdleCpu(groups: readonly ProcessGroup[], seconds: number): Promise<IdleCpu> {
  const started = performance.now();
  // Sampled once a second: each sample is one pg_stat_activity query on the bench's own connection.
  const window = await startCpuWindow(groups, 1000, { precise: true });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const used = await window.stop();
  const wallSec = (performance.now() - started) / 1000;
  return new Map(used.map((g) => [g.name, g.cpuMicros / 1000 / wallSec]));
}

/** The ms of a CPU-per-write figure that the idle CPU explains at `writesPerSec`. */
export const idleShare = (idleMsPerSec: number, writesPerSec: number): number => (writesPerSec > 0 ? idleMsPerSec / writesPerSec : Number.NaN);

/** `BENCH_IDLE_SEC` (default 10): seconds of the idle window; 0 leaves it out. */
export function idleSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BENCH_IDLE_SEC;
  if (raw === undefined || raw === '') return 10;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`BENCH_IDLE_SEC=${raw} is not a number of seconds`);
  return value;
}

/** Every group's idle CPU, once, after the platform's start-up work has settled; undefined with BENCH_IDLE_SEC=0. */
export async function measureIdle(groups: readonly ProcessGroup[], log: (message: string) => void): Promise<IdleCpu | undefined> {
  const seconds = idleSeconds();
  if (seconds === 0) return undefined;
  // Set-up's events and the relays' last batches settle first (a bench pause, not a test's).
  await new Promise((resolve) => setTimeout(resolve, envNumber('BENCH_IDLE_SETTLE', 3) * 1000));
  const idle = await measureIdleCpu(groups, seconds);
  log(`idle CPU (platform up, no load, ${seconds} s, schedstat): ${[...idle].map(([name, ms]) => `${name} ${round(ms, 2)}`).join(', ')} ms/s`);
  return idle;
}

/** One figure per group: its idle ms/s, and the ms of its CPU per write that explains at `writesPerSec`. */
export function idleFigures(scenario: string, label: string, idle: IdleCpu, writesPerSec: number): BenchFigure[] {
  return [...idle].map(([group, msPerSec]) => ({
    scenario,
    name: `${label}: idle CPU, ${group}`,
    metric: 'ms/s',
    value: round(msPerSec, 2),
    detail: { 'ms of its CPU per write at the achieved rate': round(idleShare(msPerSec, writesPerSec), 3), 'idle window': `platform up, no load, ${idleSeconds()} s` },
  }));
}
