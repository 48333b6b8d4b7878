/** How a call is retried on 503 / 504 or a failed connection. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** The first retry waits up to this long; each further one up to twice as long (default 250 ms). */
  baseDelayMs?: number;
  /** No wait is longer, `Retry-After` included (default 4 s). */
  maxDelayMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const defaultRetryPolicy: RetryPolicy = { attempts: 3, baseDelayMs: 250, maxDelayMs: 4_000 };

/** 503: the service (or one of its dependencies) is down; 504: it did not answer in time. */
const RETRYABLE_STATUSES = new Set([503, 504]);
/** RFC 9110 §9.2.2: methods whose repetition has the effect of one. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export function retryPolicy(options: RetryOptions | false | undefined, base: RetryPolicy = defaultRetryPolicy): RetryPolicy {
  if (options === false) return { ...base, attempts: 1 };
  return { ...base, ...options };
}

/**
 * Only a request that may safely arrive twice is repeated: an idempotent method, or one with an
 * `Idempotency-Key` (the server answers a repeat with the first result). A POST without a key
 * is never retried, whatever the answer.
 */
export function mayRepeat(method: string, headers: Headers): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase()) || headers.has('idempotency-key');
}

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (1 for the first): the server's `Retry-After` when it
 * sent one, otherwise exponential backoff with full jitter (a random wait up to
 * base·2^(retry-1)), so that many clients do not come back at the same instant; never above
 * `maxDelayMs`.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, retryAfter: string | null = null, random = Math.random, now = Date.now()): number {
  const told = retryAfterMs(retryAfter, now);
  const delay = told ?? random() * policy.baseDelayMs * 2 ** (retry - 1);
  return Math.min(policy.maxDelayMs, delay);
}
