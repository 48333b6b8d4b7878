import { fileURLToPath } from 'node:url';
import { describeServiceBoot } from '@platform/service-kit/testing';
import { buildApp } from '../src/app.js';

describeServiceBoot({
  service: 'analytics',
  build: (config) => buildApp(config),
  mainPath: fileURLToPath(new URL('../src/main.ts', import.meta.url)),
  apiProbe: { url: '/api/v1/analytics/summary', role: 'admin' },
  workers: ['retention', 'rebuild'],
});
