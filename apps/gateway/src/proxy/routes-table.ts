import type { UpstreamName } from '../config.js';
import { generatedPublicRoutes } from './public-routes.generated.js';

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
 * The only proxied routes reachable without an access token (docs/contract.md §3): the operations
 * the services' OpenAPI documents declare without `security`, generated into
 * `public-routes.generated.ts`. Everything else under a prefix needs one, including paths no
 * service knows: they answer 401, not 404, to anonymous callers, which tells nothing about what
 * exists. `path` is the normalised path; a `{param}` of a template matches one non-empty segment.
 */
export function publicRouteMatcher(routes: readonly string[]): (method: string, path: string) => boolean {
  const exact = new Set(routes.filter((route) => !route.includes('{')));
  const templates = routes
    .filter((route) => route.includes('{'))
    .map((route) => new RegExp(`^${route.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/}]+\}/g, '[^/]+')}$`));
  return (method, path) => {
    const route = `${method} ${path}`;
    return exact.has(route) || templates.some((template) => template.test(route));
  };
}

export const isPublicRoute = publicRouteMatcher(generatedPublicRoutes);

/** `/a/b?x=1` → `/a/b`. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
