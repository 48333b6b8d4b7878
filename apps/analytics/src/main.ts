import { loadEnvFiles, serviceEnv } from '@platform/config';
import { runService } from '@platform/service-kit';
import { buildApp } from './app.js';
import { loadAnalyticsConfig } from './config.js';

loadEnvFiles(import.meta.dirname);
const config = loadAnalyticsConfig(serviceEnv('analytics'));
await runService('analytics', () => buildApp(config), config);
