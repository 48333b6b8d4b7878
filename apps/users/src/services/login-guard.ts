import type { Db } from '@platform/db-kit';
import { tooManyRequests } from '@platform/http-kit';
import type { UsersSettings } from '../config.js';
import { loginAttemptRepository, type ThrottleKey } from '../data/login-attempt-repository.js';
import { decide, strictest } from '../domain/login-throttle.js';

/**
 * Failed-login throttling per e-mail and per client address (contract §3). `check` runs before
 * the password is looked at, so a throttled caller learns nothing about it.
 */
export function createLoginGuard(db: Db, settings: UsersSettings['throttle']) {
  const attempts = loginAttemptRepository(db);
  const keys = (email: string, clientIp: string): Array<ThrottleKey & { limit: number }> => [
    { scope: 'email', key: email, limit: settings.maxFailuresPerEmail, windowSec: settings.windowSec },
    { scope: 'client', key: clientIp, limit: settings.maxFailuresPerClient, windowSec: settings.windowSec },
  ];

  return {
    async check(email: string, clientIp: string): Promise<void> {
      const now = new Date();
      const all = keys(email, clientIp);
      const counters = await attempts.read(all);
      const decision = strictest(all.map((k) => decide(counters.get(`${k.scope}:${k.key}`), { limit: k.limit, windowSec: k.windowSec }, now)));
      if (decision.limited) throw tooManyRequests(decision.retryAfterSec, 'Too many failed login attempts, try again later');
    },

    async recordFailure(email: string, clientIp: string): Promise<void> {
      // Counters of ended windows are dropped by the retention worker (workers/retention.ts).
      await Promise.all(keys(email, clientIp).map((k) => attempts.recordFailure(k)));
    },

    /** A correct password clears the e-mail's counter (not the client's: one client, many accounts). */
    async resetEmail(email: string): Promise<void> {
      await attempts.reset('email', [email]);
    },
  };
}

export type LoginGuard = ReturnType<typeof createLoginGuard>;
