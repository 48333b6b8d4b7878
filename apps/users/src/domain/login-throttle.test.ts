import { describe, expect, it } from 'vitest';
import { afterFailure, decide } from './login-throttle.js';

const rule = { limit: 3, windowSec: 900 };
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('login throttle rules', () => {
  it('allows until the limit is reached within the window', () => {
    expect(decide(undefined, rule, t0)).toEqual({ limited: false });
    expect(decide({ failures: 2, windowStartedAt: t0 }, rule, at(10))).toEqual({ limited: false });
    expect(decide({ failures: 3, windowStartedAt: t0 }, rule, at(10))).toEqual({ limited: true, retryAfterSec: 890 });
  });

  it('lets go when the window ends; Retry-After is at least 1 second', () => {
    expect(decide({ failures: 9, windowStartedAt: t0 }, rule, at(900))).toEqual({ limited: false });
    expect(decide({ failures: 9, windowStartedAt: t0 }, rule, at(899.5))).toEqual({ limited: true, retryAfterSec: 1 });
  });

  it('counts failures in the window and restarts it once ended', () => {
    const first = afterFailure(undefined, rule, t0);
    expect(first).toEqual({ failures: 1, windowStartedAt: t0 });
    expect(afterFailure(first, rule, at(100))).toEqual({ failures: 2, windowStartedAt: t0 });
    expect(afterFailure({ failures: 5, windowStartedAt: t0 }, rule, at(901))).toEqual({ failures: 1, windowStartedAt: at(901) });
  });
});
