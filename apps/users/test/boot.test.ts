import { fileURLToPath } from 'node:url';
import { describeServiceBoot } from '@platform/service-kit/testing';
import { buildApp } from '../src/app.js';

describeServiceBoot({
  service: 'users',
  build: (config) => buildApp(config),
  mainPath: fileURLToPath(new URL('../src/main.ts', import.meta.url)),
  apiProbe: { url: '/api/v1/users/me' },
  metricsSeries: ['users_login_failures_total', 'users_login_throttled_total'],
});
