import { loadEnvFiles, serviceEnv } from '@platform/config';
import { runService } from '@platform/service-kit';
import { buildApp } from './app.js';
import { loadNotificationsConfig } from './config.js';

loadEnvFiles(import.meta.dirname);
const config = loadNotificationsConfig(serviceEnv('notifications'));
await runService('notifications', () => buildApp(config), config);
