import { fileURLToPath } from 'node:url';
import { consumerSeries, describeServiceBoot } from '@platform/service-kit/testing';
import { buildApp } from '../src/app.js';

describeServiceBoot({
  service: 'billing',
  build: (config) => buildApp(config),
  mainPath: fileURLToPath(new URL('../src/main.ts', import.meta.url)),
  apiProbe: { url: '/api/v1/billing/accounts/me' },
  metricsSeries: ['billing_payments_total', 'billing_invoices_issued_total', ...consumerSeries],
});
