import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';

export interface RunServerOptions {
  port: number;
  host?: string;
  /** Runs after the HTTP server stopped: drain consumers, stop relays, close pools. */
  onShutdown?: () => Promise<void>;
  /** Grace period; past it the process exits 1 (docs/contract.md §5: within 10 s). */
  timeoutMs?: number;
  /**
   * After SIGTERM, how long to keep serving with `/ready` at 503 before closing, so load
   * balancers take the instance out first (0 locally; a few seconds behind one). Part of `timeoutMs`.
   */
  drainDelayMs?: number;
}

/** The whole shutdown (drain delay included) finishes within this (docs/contract.md §5), or the process exits 1. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

function flushLogs(app: FastifyInstance): Promise<void> {
  const { flush } = app.log as FastifyInstance['log'] & { flush?: (cb?: (err?: Error) => void) => void };
  if (typeof flush !== 'function') return Promise.resolve();
  return new Promise((resolve) => flush.call(app.log, () => resolve()));
}

/**
 * Listens, then on SIGTERM/SIGINT (or a fatal error): `/ready` turns 503 at once, requests are
 * still served for `drainDelayMs`, then stop accepting, let in-flight requests finish
 * (`app.close()`), run `onShutdown`, flush logs, exit 0 — or 1 after a fatal error or when the
 * grace period runs out. The whole of an app's `main.ts` is one call to this.
 */
export async function runServer(app: FastifyInstance, options: RunServerOptions): Promise<void> {
  const { port, host = '0.0.0.0', onShutdown, timeoutMs = SHUTDOWN_TIMEOUT_MS, drainDelayMs = 0 } = options;
  closeWithGrace(
    {
      delay: timeoutMs,
      logger: { error: (message: unknown) => app.log.error(message) },
      onTimeout: (delay) => app.log.error({ delay }, 'graceful shutdown timed out, exiting'),
    },
    async ({ signal, err }) => {
      if (err) app.log.fatal({ err }, 'fatal error, shutting down');
      else app.log.info({ signal, drainDelayMs }, 'shutting down');
      app.draining = true;
      try {
        if (drainDelayMs > 0 && !err) await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
        await app.close();
        await onShutdown?.();
        app.log.info('shutdown complete');
      } finally {
        await flushLogs(app);
      }
    },
  );
  try {
    await app.listen({ port, host });
  } catch (error) {
    app.log.fatal({ err: error }, 'could not start the HTTP server');
    await onShutdown?.().catch(() => undefined);
    await flushLogs(app);
    process.exit(1);
  }
}
