// @fastify/rate-limit ships its stores without typings for the files themselves.
declare module '@fastify/rate-limit/store/RedisStore.js' {
  import type { Redis } from 'ioredis';

  type IncrCallback = (error: Error | null, result: { current: number; ttl: number } | null) => void;
  class RedisStore {
    constructor(continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key?: string);
    incr(key: string, callback: IncrCallback, timeWindow: number, max: number): void;
  }
  export default RedisStore;
}

declare module '@fastify/rate-limit/store/LocalStore.js' {
  type IncrCallback = (error: Error | null, result: { current: number; ttl: number } | null) => void;
  /** Fixed-window counters in an LRU (toad-cache) of at most `cache` keys. */
  class LocalStore {
    constructor(continueExceeding: boolean, exponentialBackoff: boolean, cache?: number);
    incr(key: string, callback: IncrCallback, timeWindow: number, max: number): void;
  }
  export default LocalStore;
}
