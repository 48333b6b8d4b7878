import type RedisStore from '@fastify/rate-limit/store/RedisStore.js';
import type { Logger } from '@platform/logging';

/** While Redis keeps failing, one warning per this period (with the count), not one per request. */
const WARN_EVERY_MS = 10_000;

export interface SharedStoreOptions {
  url: string;
  /** Prefix of every key (several environments, or test files, share one Redis). */
  prefix: string;
  /** Bound on connecting and on one command: past it, the request is let through. */
  timeoutMs: number;
  logger: Logger;
  onError?: (error: Error) => void;
}

/** @fastify/rate-limit's store interface: count one more request for `key` in its window. */
export interface CounterStore {
  incr(key: string, callback: Parameters<RedisStore['incr']>[1], timeWindow: number, max: number): void;
}

export interface SharedStore {
  /** One store for every limiter: their keys (`client:...`, `user:...`) already differ. */
  store: CounterStore;
  /** Failed commands so far (each one a request let through). */
  errors(): number;
  /** Waits (bounded) for the first connection, so a gateway that starts with Redis up enforces from its first request. */
  connected(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Rate-limit counters in Redis, shared by every gateway replica: @fastify/rate-limit's own store
 * (one Lua call: INCR + PEXPIRE), over an ioredis client that never queues. Disconnected, a
 * command fails at once; slow, it fails after `timeoutMs`; the limiter then lets the request
 * through (fail open, as the plugin's `skipOnError` did) and the failure is counted and logged. ioredis reconnects
 * in the background (at most every 2 s), so limits apply again as soon as Redis is back.
 */
export async function createSharedStore(options: SharedStoreOptions): Promise<SharedStore> {
  // Imported here, not at the top: without REDIS_URL (limits in memory) the gateway never loads
  // ioredis (~45 modules at boot, docs/benchmarks.md "Issue 12 (round 3): footprint").
  const [{ Redis }, { default: RedisStoreClass }] = await Promise.all([import('ioredis'), import('@fastify/rate-limit/store/RedisStore.js')]);
  const logger = options.logger.child({ component: 'rate-limit-store' });
  const redis = new Redis(options.url, {
    enableOfflineQueue: false,
    commandTimeout: options.timeoutMs,
    connectTimeout: options.timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    connectionName: 'gateway-rate-limit',
  });
  let errors = 0;
  let unreported = 0;
  let lastWarnAt = 0;
  let healthy = false;

  redis.on('ready', () => {
    if (!healthy) logger.info('rate-limit store connected: limits shared through Redis');
    healthy = true;
  });
  redis.on('error', (error: Error) => {
    if (healthy) logger.warn({ reason: error.message }, 'rate-limit store unreachable: failing open (requests are not limited) until it is back');
    healthy = false;
  });

  function failed(error: Error): void {
    errors += 1;
    unreported += 1;
    options.onError?.(error);
    if (Date.now() - lastWarnAt >= WARN_EVERY_MS) {
      logger.warn({ reason: error.message, failures: unreported }, 'rate-limit store command failed: request let through');
      lastWarnAt = Date.now();
      unreported = 0;
    }
  }

  // @fastify/rate-limit's own store, as its plugin built it (fixed window, no backoff): same Lua, same keys.
  const inner = new RedisStoreClass(false, false, redis, options.prefix);
  const store: CounterStore = {
    incr(key, callback, timeWindow, max) {
      inner.incr(key, (error, result) => {
        if (error) failed(error);
        callback(error, result);
      }, timeWindow, max);
    },
  };

  return {
    store,
    errors: () => errors,
    async connected() {
      if (redis.status === 'ready') return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(options.timeoutMs, 1_000));
        function done() {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        }
        redis.once('ready', done);
      });
      if ((redis.status as string) !== 'ready') logger.warn({ status: redis.status }, 'rate-limit store not reachable at start: failing open until it is');
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
