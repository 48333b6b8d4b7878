import { fileURLToPath } from 'node:url';
import { consumerSeries, describeServiceBoot } from '@platform/service-kit/testing';
import { buildApp } from '../src/app.js';
import { defaultMailConfig } from '../src/config.js';

describeServiceBoot({
  service: 'notifications',
  build: (config) => buildApp({ ...config, mail: defaultMailConfig() }),
  mainPath: fileURLToPath(new URL('../src/main.ts', import.meta.url)),
  apiProbe: { url: '/api/v1/notifications' },
  metricsSeries: ['notifications_emails_total', ...consumerSeries],
  workers: ['retention', 'delivery-sender'],
});
