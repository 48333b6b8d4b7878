import { loadEnvFiles, serviceEnv } from '@platform/config';
import { runService } from '@platform/service-kit';
import { buildApp } from './app.js';
import { loadBillingConfig } from './config.js';

loadEnvFiles(import.meta.dirname);
const config = loadBillingConfig(serviceEnv('billing'));
await runService('billing', () => buildApp(config), config);
