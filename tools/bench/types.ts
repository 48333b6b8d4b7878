/** One measured figure, e.g. `{ name: 'gateway GET /users/me', metric: 'requests/s', value: 11800 }`. */
export interface BenchFigure {
  scenario: string;
  name: string;
  metric: string;
  value: number;
  /** Anything that helps read the figure: p50/p99, connections, sample size, target. */
  detail?: Record<string, number | string>;
}

export interface BenchContext {
  log(message: string): void;
  /** Seconds per timed load run (autocannon `duration`); `BENCH_DURATION` overrides. */
  durationSec: number;
}

/** A benchmark scenario: starts what it needs, measures, stops it again. */
export interface BenchScenario {
  name: string;
  run(ctx: BenchContext): Promise<BenchFigure[]>;
}
