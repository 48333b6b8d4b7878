/** One request of a load run; `{n}` in the body becomes the request's sequence number. */
export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  /** Origin, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** Sent round-robin. */
  requests: LoadRequest[];
  connections: number;
  durationSec: number;
  /** Same load before the measured run: fills keep-alive pools, JIT and caches. */
  warmupSec: number;
  /**
   * Open loop at this many requests/s (each request due at t0 + i / rate, latency counted from
   * when it was due). Without it: closed loop, as fast as `connections` allow (autocannon).
   */
  rate?: number;
}

export interface LoadResult {
  generator: string;
  /** Completed responses in the measured run. */
  requests: number;
  ok: number;
  non2xx: number;
  /** Responses by status code, so a failed run says which answers it got (a 429 is not a 503). */
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  seconds: number;
  requestsPerSec: number;
  /** Milliseconds. */
  latency: { p50: number; p90: number; p99: number; max: number };
}

export type WorkerMessage = { type: 'warm' } | { type: 'result'; result: LoadResult } | { type: 'failed'; message: string };
export type ParentMessage = { type: 'spec'; spec: LoadSpec } | { type: 'go' };

