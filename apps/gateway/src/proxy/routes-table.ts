import type { UpstreamName } from '../config.js';

/**
 * Which service answers which public path. Paths are forwarded unchanged: every service
 * registers its routes under their full public path (`/api/v1/users/me` on users).
 */
export const upstreamPrefixes: Record<UpstreamName, string[]> = {
  users: ['/api/v1/auth', '/api/v1/users'],
  billing: ['/api/v1/billing'],
  notifications: ['/api/v1/notifications'],
  analytics: ['/api/v1/analytics'],
};

/** Methods the gateway forwards; HEAD comes with GET, OPTIONS is answered by CORS. */
export const proxiedMethods = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT'] as const;

/**
 * The only proxied routes reachable without an access token (docs/contract.md §3). Everything else
 * under a prefix needs one, including paths no service knows: they answer 401, not 404, to
 * anonymous callers, which tells nothing about what exists.
 */
const publicRoutes = new Set([
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/jwks.json',
  'HEAD /api/v1/auth/jwks.json',
]);

export function isPublicRoute(method: string, path: string): boolean {
  return publicRoutes.has(`${method} ${path}`);
}

/** `/a/b?x=1` → `/a/b`. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
