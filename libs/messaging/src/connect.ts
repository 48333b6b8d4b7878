import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@platform/logging';
import { withDeadline } from '@platform/resilience';

export interface ConnectNatsOptions {
  /** One server, a comma-separated seed list (`NATS_URL`) or an array of them. */
  servers: string | string[];
  /** Connection name shown by the server (the service name). */
  name: string;
  logger: Logger;
  /** Called when the connection closes without `close()`/`drain()`: apps exit the process. */
  onUnexpectedClose?: (err?: Error) => void;
  /** Initial connection timeout; short so a missing server is reported fast. */
  timeoutMs?: number;
}

export interface NatsHandle {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Round trip to the server; rejects when disconnected or slower than `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  /** Drains subscriptions and closes; not an unexpected close. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function connectNats(options: ConnectNatsOptions): Promise<NatsHandle> {
  const { logger } = options;
  const nc = await connect({
    servers: seedServers(options.servers),
    name: options.name,
    timeout: options.timeoutMs ?? 5_000,
    // Never give up reconnecting: a NATS restart must not take the services down with it.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    waitOnFirstConnect: false,
    // Otherwise every request (each relay publish awaits its ack as one) builds two Error objects
    // up front to carry the caller's stack should it fail: over half the client's CPU of a publish
    // in the relay's profile. A failure still rejects with the error; its message is what we log.
    noAsyncTraces: true,
  });
  let closing = false;
  void watchStatus(nc, logger);
  void nc.closed().then((err) => {
    if (closing) return;
    logger.error({ err }, 'NATS connection closed unexpectedly');
    options.onUnexpectedClose?.(err instanceof Error ? err : undefined);
  });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  logger.info({ server: nc.getServer() }, 'connected to NATS');

  return {
    nc,
    js,
    jsm,
    async ping(timeoutMs = 2_000) {
      if (nc.isClosed()) throw new Error('NATS connection is closed');
      await withDeadline(nc.rtt(), timeoutMs, () => {
        throw new Error(`NATS did not answer within ${timeoutMs} ms`);
      });
    },
    async drain() {
      if (nc.isClosed()) return;
      closing = true;
      await nc.drain();
    },
    async close() {
      if (nc.isClosed()) return;
      closing = true;
      await nc.close();
    },
  };
}

/** `'a,b'` and `['a', 'b']` alike: the client fails over between the seeds and learns the rest of the cluster. */
export function seedServers(servers: string | string[]): string[] {
  return (Array.isArray(servers) ? servers : [servers]).flatMap((entry) => entry.split(',')).map((s) => s.trim()).filter(Boolean);
}

async function watchStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const status of nc.status()) {
    switch (status.type) {
      case 'disconnect':
      case 'error':
        logger.warn({ status }, 'NATS connection status');
        break;
      case 'reconnecting':
      case 'ping':
        logger.debug({ status }, 'NATS connection status');
        break;
      default:
        logger.info({ status }, 'NATS connection status');
    }
  }
}
