import { loadEnvFiles, serviceEnv } from '@platform/config';
import { runService } from '@platform/service-kit';
import { buildApp } from './app.js';
import { loadUsersConfig } from './config.js';

loadEnvFiles(import.meta.dirname);
const config = loadUsersConfig(serviceEnv('users'));
await runService('users', () => buildApp(config), config);
