import { retentionWorker, type PeriodicWorker, type ServiceContext } from '@platform/service-kit';
import type { UsersSettings } from '../config.js';
import { loginAttemptRepository } from '../data/login-attempt-repository.js';

/**
 * Users' retention: the outbox and inbox (service-kit), and login-failure counters whose window
 * has ended (LOGIN_FAILURE_WINDOW_SECONDS): they throttle nothing any more. A counter still in
 * its window is kept, whatever its age.
 */
export function usersRetention(ctx: Pick<ServiceContext, 'db' | 'config' | 'logger'>, throttle: UsersSettings['throttle']): PeriodicWorker {
  return retentionWorker(ctx, [{ table: 'login_failures', prune: () => loginAttemptRepository(ctx.db).pruneOlderThan(throttle.windowSec) }]);
}
