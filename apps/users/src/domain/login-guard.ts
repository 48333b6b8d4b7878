import type { Db } from '@platform/db-kit';
import { tooManyRequests } from '@platform/http-kit';
import type { UsersSettings } from '../config.js';
import { loginAttemptRepository, type ThrottleKey, type ThrottleScope } from '../data/login-attempt-repository.js';
import { decide } from './login-throttle.js';

/** A reserved attempt: it counts as a failure unless released (the password was right). */
export interface LoginAttempt {
  release(): Promise<void>;
}

/**
 * Failed-login throttling per e-mail and per client address (docs/contract.md §3). Each attempt is
 * reserved (counted as a failure) atomically before the password is looked at, and released
 * when it proves right: parallel guesses cannot all pass a check made before any of them
 * failed, so concurrency buys an attacker nothing. A throttled caller learns nothing about the
 * password.
 */
export function createLoginGuard(db: Db, settings: UsersSettings['throttle'], onThrottled?: (scope: ThrottleScope) => void) {
  const attempts = loginAttemptRepository(db);
  const keys = (email: string, clientIp: string): Array<ThrottleKey & { limit: number }> => [
    { scope: 'email', key: email, limit: settings.maxFailuresPerEmail, windowSec: settings.windowSec },
    { scope: 'client', key: clientIp, limit: settings.maxFailuresPerClient, windowSec: settings.windowSec },
  ];

  async function throttled(key: ThrottleKey & { limit: number }): Promise<never> {
    onThrottled?.(key.scope);
    const decision = decide(await attempts.read(key), { limit: key.limit, windowSec: key.windowSec }, new Date());
    // The window may have ended in between: the caller may try again at once.
    throw tooManyRequests(decision.limited ? decision.retryAfterSec : 1, 'Too many failed login attempts, try again later');
  }

  return {
    /** Reserves one attempt for the e-mail and the client, or throws 429 (nothing stays counted then). */
    async reserve(email: string, clientIp: string): Promise<LoginAttempt> {
      const reserved: Array<ThrottleKey & { limit: number }> = [];
      for (const key of keys(email, clientIp)) {
        if (!(await attempts.reserve(key))) {
          for (const done of reserved) await attempts.release(done);
          await throttled(key);
        }
        reserved.push(key);
      }
      // Counters of ended windows are dropped by the retention worker (workers/retention.ts).
      return {
        async release() {
          for (const key of reserved) await attempts.release(key);
        },
      };
    },

    /** A correct password clears the e-mail's counter (not the client's: one client, many accounts). */
    async resetEmail(email: string): Promise<void> {
      await attempts.reset({ scope: 'email', key: email });
    },
  };
}

export type LoginGuard = ReturnType<typeof createLoginGuard>;
