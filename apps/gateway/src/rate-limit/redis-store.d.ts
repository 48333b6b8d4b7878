// @fastify/rate-limit ships its Redis store without typings for the file itself.
declare module '@fastify/rate-limit/store/RedisStore.js' {
  import type { Redis } from 'ioredis';

  type IncrCallback = (error: Error | null, result: { current: number; ttl: number } | null) => void;
  class RedisStore {
    constructor(continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key?: string);
    incr(key: string, callback: IncrCallback, timeWindow: number, max: number): void;
  }
  export default RedisStore;
}
