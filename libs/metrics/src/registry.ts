import { Gauge, Registry, collectDefaultMetrics, type Counter, type Histogram, type Metric } from 'prom-client';
import { BatchedCounter, BatchedHistogram } from './batched.js';
import { polledGauge, type PolledGaugeOptions } from './polled-gauge.js';

export interface CreateMetricsOptions {
  /** The `service` label every series carries. */
  service: string;
  /** prom-client's process_* and nodejs_* series (event-loop lag, heap, GC); default on. */
  defaultMetrics?: boolean;
  /** Default `maxAgeMs` of this registry's polled gauges (tests use 0: every scrape reads). */
  pollMaxAgeMs?: number;
}

export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds in seconds (default: `LATENCY_BUCKETS`). */
  buckets?: number[];
}

/** Latency buckets in seconds: 1 ms to 10 s, the range between a cached read and the gateway's upstream timeout. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface Metrics {
  readonly service: string;
  readonly registry: Registry;
  /** The `Content-Type` of `render()`'s output (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /**
   * Each returns the metric already registered under that name, so libraries share definitions.
   * Children of counters and histograms (`labels(...)`) count in plain cells folded in at scrape time (batched.ts).
   */
  counter<L extends string = never>(options: MetricOptions<L>): Counter<L>;
  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L>;
  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L>;
  /** A gauge whose samples are read at scrape time: cached, bounded, with a timeout (see polled-gauge.ts). */
  polledGauge<L extends string = never>(options: PolledGaugeOptions<L>): Gauge<L>;
  /** Every series in the Prometheus text format. */
  render(): Promise<string>;
}

/**
 * One registry per app, never prom-client's global one: tests build several apps in one process,
 * and each app's `/metrics` must show its own series only.
 */
export function createMetrics(options: CreateMetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // Gauges whose names end in _total, which `promtool check metrics` rejects; the per-type
    // nodejs_active_handles / _requests / _resources series remain and sum to the same.
    for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  }

  function getOrCreate<M extends Metric>(name: string, create: () => M): M {
    return (registry.getSingleMetric(name) as M | undefined) ?? create();
  }
  const base = <L extends string>(o: MetricOptions<L>) => ({ name: o.name, help: o.help, labelNames: o.labelNames ?? [], registers: [registry] });

  return {
    service: options.service,
    registry,
    contentType: registry.contentType,
    counter: (o) => getOrCreate(o.name, () => new BatchedCounter(base(o))),
    gauge: (o) => getOrCreate(o.name, () => new Gauge(base(o))),
    histogram: (o) => getOrCreate(o.name, () => new BatchedHistogram({ ...base(o), buckets: o.buckets ?? LATENCY_BUCKETS })),
    polledGauge: (o) => getOrCreate(o.name, () => polledGauge(registry, { ...o, maxAgeMs: o.maxAgeMs ?? options.pollMaxAgeMs })),
    render: () => registry.metrics(),
  };
}
