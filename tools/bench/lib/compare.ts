// Interleaved comparison of request-path variants: each round measures every variant once, in
// order (baseline, subject, baseline, subject, …), so a machine that gets busier or quieter
// during the run affects both alike. Reported: the median over the rounds of each figure, and
// for a subject the ratio of its median to the baseline's median.
import type { BenchFigure } from '../types.js';
import { serverGroup, startCpuWindow, type ProcessGroup } from './cpu-meter.js';
import { failureSummary, startLoad, type LoadRequest, type LoadResult } from './load.js';
import { median, ratio, round } from './stats.js';

export interface MeteredProcess {
  /** Shown in the figure name: `CPU per request, <label>`. */
  label: string;
  group: ProcessGroup;
  /** The label of the process in the baseline variant this one is compared with. */
  comparesWith?: string;
}

export interface Variant {
  key: string;
  /** e.g. `gateway → users GET /api/v1/auth/jwks.json`. */
  label: string;
  url: string;
  requests: LoadRequest[];
  processes: MeteredProcess[];
  /** Key of the variant this one is compared with; absent for a baseline. */
  baseline?: string;
  /**
   * Keys of further baselines, each reported in figures of their own (`…: throughput, against
   * <label>`). There a process is compared with the one of its `comparesWith` label, else with
   * the one of its own label (the same process behind another front, e.g. users).
   */
  alsoComparedWith?: string[];
  /** Also report CPU per request summed over every metered process and the load generator. */
  chain?: boolean;
}

export interface LoadShape {
  connections: number;
  durationSec: number;
  warmupSec: number;
  rounds: number;
}

interface RoundResult {
  load: LoadResult;
  /** µs of CPU per completed request, by process label (plus `load generator`). */
  cpuPerRequest: Record<string, number>;
}

async function measureOnce(variant: Variant, shape: LoadShape): Promise<RoundResult> {
  const load = await startLoad({ url: variant.url, requests: variant.requests, connections: shape.connections, durationSec: shape.durationSec, warmupSec: shape.warmupSec });
  const groups = [...variant.processes.map((p) => ({ ...p.group, name: p.label })), serverGroup('load generator', load.pid)];
  const window = await startCpuWindow(groups);
  const result = await load.measure();
  const used = await window.stop();
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) {
    throw new Error(`${variant.label}: ${failed} of ${result.requests} requests failed (${failureSummary(result)})`);
  }
  return { load: result, cpuPerRequest: Object.fromEntries(used.map((g) => [g.name, g.cpuMicros / result.requests])) };
}

interface Summary {
  requestsPerSec: number;
  p50: number;
  p99: number;
  cpu: Record<string, number>;
  rounds: RoundResult[];
}

function summarise(rounds: RoundResult[]): Summary {
  const labels = Object.keys(rounds[0]!.cpuPerRequest);
  return {
    requestsPerSec: median(rounds.map((r) => r.load.requestsPerSec)),
    p50: median(rounds.map((r) => r.load.latency.p50)),
    p99: median(rounds.map((r) => r.load.latency.p99)),
    cpu: Object.fromEntries(labels.map((label) => [label, median(rounds.map((r) => r.cpuPerRequest[label]!))])),
    rounds,
  };
}

const each = (rounds: RoundResult[], pick: (r: RoundResult) => number, digits = 0) => rounds.map((r) => round(pick(r), digits)).join(' / ');

/** Runs `shape.rounds` interleaved rounds of every variant; returns the figures of all of them. */
export async function compareVariants(scenario: string, variants: Variant[], shape: LoadShape, log: (m: string) => void): Promise<BenchFigure[]> {
  const results = new Map<string, RoundResult[]>(variants.map((v) => [v.key, []]));
  for (let round_ = 1; round_ <= shape.rounds; round_++) {
    for (const variant of variants) {
      const result = await measureOnce(variant, shape);
      results.get(variant.key)!.push(result);
      const cpu = Object.entries(result.cpuPerRequest).map(([label, us]) => `${label} ${Math.round(us)} µs`).join(', ');
      log(`round ${round_} ${variant.label}: ${Math.round(result.load.requestsPerSec)} req/s, p50 ${result.load.latency.p50} ms, p99 ${result.load.latency.p99} ms; CPU/request ${cpu}`);
    }
  }

  const summaries = new Map(variants.map((v) => [v.key, summarise(results.get(v.key)!)]));
  const figures: BenchFigure[] = [];
  for (const variant of variants) {
    const own = summaries.get(variant.key)!;
    const base = variant.baseline ? summaries.get(variant.baseline) : undefined;
    const baseLabel = variant.baseline ? variants.find((v) => v.key === variant.baseline)!.label : undefined;
    const against = (value: number, baseValue: number | undefined) =>
      base && baseValue !== undefined ? { ratio: ratio(value, baseValue), baseline: baseLabel } : {};
    const rounds = own.rounds;
    figures.push({
      scenario,
      name: `${variant.label}: throughput`,
      metric: 'requests/s',
      value: round(own.requestsPerSec),
      ...against(own.requestsPerSec, base?.requestsPerSec),
      detail: {
        connections: shape.connections,
        rounds: each(rounds, (r) => r.load.requestsPerSec),
        'load generator µs/request': round(own.cpu['load generator']!),
      },
    });
    figures.push({
      scenario,
      name: `${variant.label}: latency p99`,
      metric: 'ms',
      value: own.p99,
      ...against(own.p99, base?.p99),
      detail: { p50: own.p50, rounds: each(rounds, (r) => r.load.latency.p99, 1) },
    });
    for (const process_ of variant.processes) {
      const value = own.cpu[process_.label]!;
      const baseValue = process_.comparesWith ? base?.cpu[process_.comparesWith] : undefined;
      figures.push({
        scenario,
        name: `${variant.label}: CPU per request, ${process_.label}`,
        metric: 'µs',
        value: round(value),
        ...(baseValue === undefined ? {} : { ratio: ratio(value, baseValue), baseline: `the ${process_.comparesWith}` }),
        detail: { rounds: each(rounds, (r) => r.cpuPerRequest[process_.label]!) },
      });
    }
    if (variant.chain) {
      figures.push({
        scenario,
        name: `${variant.label}: CPU per request, whole chain`,
        metric: 'µs',
        value: round(chainOf(own)),
        ...(base ? { ratio: ratio(chainOf(own), chainOf(base)), baseline: `${baseLabel}'s chain` } : {}),
        detail: { processes: [...Object.keys(own.cpu)].join(' + '), rounds: each(rounds, (r) => sum(r.cpuPerRequest)) },
      });
    }
    for (const key of variant.alsoComparedWith ?? []) {
      const other = variants.find((v) => v.key === key)!;
      figures.push(...againstFurther(variant, own, other, summaries.get(key)!, scenario));
    }
  }
  return figures;
}

const sum = (cpu: Record<string, number>): number => Object.values(cpu).reduce((a, b) => a + b, 0);
/** CPU per request of every metered process and the load generator: 2 shared cores ÷ this bounds throughput. */
const chainOf = (s: Summary): number => sum(s.cpu);

/** The subject's figures again, each with its ratio to a further baseline (`alsoComparedWith`). */
function againstFurther(variant: Variant, own: Summary, other: Variant, base: Summary, scenario: string): BenchFigure[] {
  const suffix = `, against ${other.label}`;
  const figures: BenchFigure[] = [
    { scenario, name: `${variant.label}: throughput${suffix}`, metric: 'requests/s', value: round(own.requestsPerSec), ratio: ratio(own.requestsPerSec, base.requestsPerSec), baseline: other.label },
    { scenario, name: `${variant.label}: latency p99${suffix}`, metric: 'ms', value: own.p99, ratio: ratio(own.p99, base.p99), baseline: other.label },
  ];
  for (const process_ of variant.processes) {
    const label = [process_.comparesWith, process_.label].find((l) => l !== undefined && other.processes.some((p) => p.label === l));
    if (label === undefined) continue;
    const value = own.cpu[process_.label]!;
    figures.push({ scenario, name: `${variant.label}: CPU per request, ${process_.label}${suffix}`, metric: 'µs', value: round(value), ratio: ratio(value, base.cpu[label]!), baseline: `the ${label} there` });
  }
  if (variant.chain) {
    figures.push({ scenario, name: `${variant.label}: CPU per request, whole chain${suffix}`, metric: 'µs', value: round(chainOf(own)), ratio: ratio(chainOf(own), chainOf(base)), baseline: `${other.label}'s chain` });
  }
  return figures;
}
