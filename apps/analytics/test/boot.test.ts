import { fileURLToPath } from 'node:url';
import { consumerSeries, describeServiceBoot } from '@platform/service-kit/testing';
import { buildApp } from '../src/app.js';

describeServiceBoot({
  service: 'analytics',
  build: (config) => buildApp(config),
  mainPath: fileURLToPath(new URL('../src/main.ts', import.meta.url)),
  apiProbe: { url: '/api/v1/analytics/summary', role: 'admin' },
  metricsSeries: ['analytics_events_ingested_total', 'analytics_ingest_lag_seconds', ...consumerSeries],
  workers: ['retention', 'rebuild'],
});
