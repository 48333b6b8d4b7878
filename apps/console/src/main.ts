import { loadEnvFiles, serviceEnv } from '@platform/config';
import { runService } from '@platform/service-kit';
import { buildApp } from './app.js';
import { loadConsoleConfig } from './config.js';

loadEnvFiles(import.meta.dirname);
const config = loadConsoleConfig(serviceEnv('console'));
await runService('console', () => buildApp(config), config);
