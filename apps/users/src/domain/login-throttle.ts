/**
 * Failed-login throttling (docs/contract.md §3): a fixed window per key. A key is an e-mail or a client
 * address; once `limit` failures fall in the current window, further attempts are refused until
 * it ends. The counters live in Postgres (see `login-attempt-repository.ts`) so every replica
 * sees the same numbers; this file only decides.
 */
export interface FailureCounter {
  failures: number;
  windowStartedAt: Date;
}

export interface ThrottleRule {
  limit: number;
  windowSec: number;
}

export type ThrottleDecision = { limited: false } | { limited: true; retryAfterSec: number };

export function windowEndsAt(counter: FailureCounter, rule: ThrottleRule): Date {
  return new Date(counter.windowStartedAt.getTime() + rule.windowSec * 1000);
}

/** Refuse when the current window already holds `limit` failures; Retry-After is the rest of it. */
export function decide(counter: FailureCounter | undefined, rule: ThrottleRule, now: Date): ThrottleDecision {
  if (!counter) return { limited: false };
  const endsAt = windowEndsAt(counter, rule);
  if (endsAt <= now || counter.failures < rule.limit) return { limited: false };
  return { limited: true, retryAfterSec: Math.max(1, Math.ceil((endsAt.getTime() - now.getTime()) / 1000)) };
}

/** The counter after one more failure at `now` (the SQL upsert mirrors this). */
export function afterFailure(counter: FailureCounter | undefined, rule: ThrottleRule, now: Date): FailureCounter {
  if (!counter || windowEndsAt(counter, rule) <= now) return { failures: 1, windowStartedAt: now };
  return { failures: counter.failures + 1, windowStartedAt: counter.windowStartedAt };
}
