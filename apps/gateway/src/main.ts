import { loadEnvFiles, serviceEnv } from '@platform/config';
import { runService } from '@platform/service-kit';
import { buildApp } from './app.js';
import { loadGatewayConfig } from './config.js';

loadEnvFiles(import.meta.dirname);
const config = loadGatewayConfig(serviceEnv('gateway'));
await runService('gateway', () => buildApp(config), config);
