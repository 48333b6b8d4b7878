import { loadEnvFiles, serviceEnv } from '@platform/config';
import { migrateDatabase, migrationsFolderFor, runService } from '@platform/service-kit';
import { buildApp } from './app.js';
import { loadUsersConfig } from './config.js';

loadEnvFiles(import.meta.dirname);
const config = loadUsersConfig(serviceEnv('users'));
// `node main.js --migrate` (the release's migration Job) applies the migrations and exits.
const migrate = () => migrateDatabase(config, migrationsFolderFor(import.meta.url));
await runService('users', () => buildApp(config), config, { migrate });
