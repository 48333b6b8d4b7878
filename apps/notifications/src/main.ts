import { loadEnvFiles, serviceEnv } from '@platform/config';
import { migrateDatabase, migrationsFolderFor, runService } from '@platform/service-kit';
import { buildApp } from './app.js';
import { loadNotificationsConfig } from './config.js';

loadEnvFiles(import.meta.dirname);
const config = loadNotificationsConfig(serviceEnv('notifications'));
// `node main.js --migrate` (the release's migration Job) applies the migrations and exits.
const migrate = () => migrateDatabase(config, migrationsFolderFor(import.meta.url));
await runService('notifications', () => buildApp(config), config, { migrate });
