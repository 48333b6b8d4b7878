import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, ensureDatabase, runMigrations } from '@platform/db-kit';
import type { ServiceConfig } from './service-config.js';

/**
 * An app keeps its SQL migrations in `apps/<app>/drizzle`; the deployable build copies them next
 * to `main.js`. Look beside the module first (bundle), then one folder up (source).
 */
export function migrationsFolderFor(moduleUrl: string): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const candidates = [join(here, 'drizzle'), join(here, '..', 'drizzle')];
  const found = candidates.find((folder) => existsSync(join(folder, 'meta', '_journal.json')));
  if (!found) throw new Error(`no drizzle migrations next to ${here}`);
  return found;
}

/**
 * `node main.js --migrate`: create the database if allowed, apply the app's migrations, exit.
 * What a release runs once before its pods start (the Kubernetes migration Job); a service still
 * applies pending migrations at boot (under an advisory lock), so nothing depends on the Job.
 */
export async function migrateDatabase(config: ServiceConfig, migrationsFolder: string): Promise<void> {
  if (config.autoCreateDatabase) await ensureDatabase(config.databaseUrl);
  const database = createDb({ url: config.databaseUrl, applicationName: `${config.service}-migrate` });
  try {
    await runMigrations(database.db, migrationsFolder);
  } finally {
    await database.close();
  }
}
