import { upstreamNames, upstreamTable, type UpstreamName } from '../upstreams.js';
import { generatedPublicRoutes } from './public-routes.generated.js';

/** Which service answers which public path (the upstream table, src/upstreams.ts). */
export const upstreamPrefixes = Object.fromEntries(upstreamNames.map((name): [string, readonly string[]] => [name, upstreamTable[name].prefixes])) as Record<UpstreamName, readonly string[]>;

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

// The path of a request URL, as http-kit decides it for every service.
export { pathOf } from '@platform/http-kit';
