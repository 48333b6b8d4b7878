/** One measured figure, e.g. `{ name: 'gateway GET /users/me', metric: 'requests/s', value: 11800 }`. */
export interface BenchFigure {
  scenario: string;
  name: string;
  metric: string;
  value: number;
  /** The same figure of the in-repo baseline measured in the same run, as value / baseline. */
  ratio?: number;
  /** What `ratio` compares with, e.g. `bare reply-from proxy`. */
  baseline?: string;
  /** Anything that helps read the figure: p50/p99, connections, sample size, target. */
  detail?: Record<string, number | string>;
}

export interface BenchContext {
  log(message: string): void;
  /** Seconds per timed load run (autocannon `duration`); `BENCH_DURATION` overrides. */
  durationSec: number;
  /** Interleaved rounds per comparison (`BENCH_ROUNDS`, default 3); medians are reported. */
  rounds: number;
  /**
   * Something several scenarios of one run can share (the running platform): started by the
   * first that asks, stopped by the runner after the last scenario.
   */
  shared<T extends { stop(): Promise<void> }>(key: string, start: () => Promise<T>): Promise<T>;
}

/** A benchmark scenario: starts what it needs, measures, stops it again. */
export interface BenchScenario {
  name: string;
  /** One line for `npm run bench -- --list` and the docs. */
  description?: string;
  /** Set when the scenario always runs the same servers whatever BENCH_SERVERS says. */
  servers?: 'source' | 'dist' | 'in-process';
  run(ctx: BenchContext): Promise<BenchFigure[]>;
}
