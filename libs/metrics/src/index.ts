export { createMetrics, LATENCY_BUCKETS, type CreateMetricsOptions, type HistogramOptions, type MetricOptions, type Metrics } from './registry.js';
export { polledGauge, type PolledGaugeOptions, type Sample } from './polled-gauge.js';
export { childCache } from './labelled.js';
export type { Counter, Gauge, Histogram } from 'prom-client';
