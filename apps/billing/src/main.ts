import { loadEnvFiles, serviceEnv } from '@platform/config';
import { migrateDatabase, migrationsFolderFor, runService } from '@platform/service-kit';
import { buildApp } from './app.js';
import { loadBillingConfig } from './config.js';

loadEnvFiles(import.meta.dirname);
const config = loadBillingConfig(serviceEnv('billing'));
// `node main.js --migrate` (the release's migration Job) applies the migrations and exits.
const migrate = () => migrateDatabase(config, migrationsFolderFor(import.meta.url));
await runService('billing', () => buildApp(config), config, { migrate });
