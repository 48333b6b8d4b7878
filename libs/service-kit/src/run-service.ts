// No database or NATS code in here (migrations are in migrate-database.ts): the gateway's bundle
// imports this file alone (`@platform/service-kit/run-service`) and so never loads postgres,
// drizzle or the NATS client it does not use.
import type { TracingSettings } from '@platform/config';
import { runServer, type HttpApp } from '@platform/http-kit';
import { startTracing } from '@platform/tracing';

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
