import { describe, expect, it } from 'vitest';
import { channelsFor, defaultPreferences, type Preferences } from './preferences.js';
import { isPermanentSmtpError, retryDelayMs } from './retry.js';

const allOff: Preferences = { email: { billing: false, marketing: false }, inApp: { billing: false, marketing: false } };

describe('channelsFor', () => {
  it('always sends account and security messages', () => {
    expect(channelsFor('account', allOff)).toEqual({ inApp: true, email: true });
    expect(channelsFor('security', allOff)).toEqual({ inApp: true, email: true });
  });

  it('follows the per-channel choice for billing and marketing', () => {
    expect(channelsFor('billing', defaultPreferences)).toEqual({ inApp: true, email: true });
    expect(channelsFor('marketing', defaultPreferences)).toEqual({ inApp: true, email: false });
    expect(channelsFor('billing', { ...allOff, inApp: { billing: true, marketing: false } })).toEqual({ inApp: true, email: false });
  });
});

describe('retry rules', () => {
  it('backs off exponentially, capped, with bounded jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 100, 1_000, mid))).toEqual([100, 200, 400, 800]);
    expect(retryDelayMs(10, 100, 1_000, mid)).toBe(1_000);
    expect(retryDelayMs(1, 100, 1_000, () => 0)).toBe(80);
    expect(retryDelayMs(1, 100, 1_000, () => 1)).toBe(120);
  });

  it('treats SMTP 5xx as permanent, everything else as transient', () => {
    expect(isPermanentSmtpError({ responseCode: 550 })).toBe(true);
    expect(isPermanentSmtpError({ responseCode: 451 })).toBe(false);
    expect(isPermanentSmtpError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isPermanentSmtpError(null)).toBe(false);
  });
});
