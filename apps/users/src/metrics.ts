import { onRouteResponse, type HttpApp } from '@platform/http-kit';
import type { Metrics } from '@platform/metrics';
import type { ThrottleScope } from './data/login-attempt-repository.js';

/**
 * `users_login_failures_total` (wrong e-mail or password: the login route's 401) and
 * `users_login_throttled_total{scope}` (a login refused because the e-mail's or the client's
 * failures reached the limit; counted by the login guard, which knows which). Get-or-create: the
 * guard (in deps) and the route registrar below share the registry's series.
 */
export function usersMetrics(metrics: Metrics) {
  const failures = metrics.counter({ name: 'users_login_failures_total', help: 'Logins refused for a wrong e-mail or password.' });
  const throttled = metrics.counter({ name: 'users_login_throttled_total', help: 'Logins refused by the failed-login throttle, by scope.', labelNames: ['scope'] });
  // Both scopes from the start, so a rate() over them has a baseline before the first throttle.
  for (const scope of ['email', 'client'] satisfies ThrottleScope[]) throttled.labels(scope).inc(0);
  return { loginFailed: () => failures.inc(), throttled: (scope: ThrottleScope) => throttled.labels(scope).inc() };
}

/** A route registrar (first in `routes`): counts the login route's 401s without touching it. */
export function loginFailureMetrics(app: HttpApp, deps: { metrics: Metrics }): void {
  const { loginFailed } = usersMetrics(deps.metrics);
  onRouteResponse(app, 'POST', '/api/v1/auth/login', (status) => {
    if (status === 401) loginFailed();
  });
}
