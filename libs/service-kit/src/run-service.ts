import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TracingSettings } from '@platform/config';
import { createDb, ensureDatabase, runMigrations } from '@platform/db-kit';
import { runServer, type HttpApp } from '@platform/http-kit';
import { startTracing } from '@platform/tracing';
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

/**
 * What `main.ts` does after validating config: build the app and serve it until SIGTERM.
 * A dependency that is down at boot stops the process with one clear line and exit code 1,
 * so the orchestrator restarts it rather than leaving a half-started service.
 */
export async function runService(
  service: string,
  build: () => Promise<HttpApp>,
  listen: { port: number; host: string; shutdownDrainDelayMs?: number; tracing?: TracingSettings },
  options: { migrate?: () => Promise<void>; argv?: readonly string[] } = {},
): Promise<void> {
  if (options.migrate && (options.argv ?? process.argv.slice(2)).includes('--migrate')) {
    try {
      await options.migrate();
      process.stdout.write(`${service}: migrations applied\n`);
      process.exit(0);
    } catch (error) {
      process.stderr.write(`${service} migrations failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  }
  // Before the app is built: its routes get server spans only if a provider is registered.
  const tracing = listen.tracing ? await startTracing(listen.tracing) : undefined;
  let app: HttpApp;
  try {
    app = await build();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${service} failed to start: ${reason.split('\n')[0]}\n`);
    process.exit(1);
  }
  // After the app closed: spans of the last requests and events are sent before the process exits.
  const onShutdown = tracing ? () => tracing.shutdown().catch(() => undefined) : undefined;
  await runServer(app, { port: listen.port, host: listen.host, drainDelayMs: listen.shutdownDrainDelayMs, onShutdown });
  app.log.info({ port: listen.port, host: listen.host }, `${service} listening`);
}
