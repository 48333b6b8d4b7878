import type { FastifyInstance } from 'fastify';
import type { DeprecatedRoute } from './config.js';
import { pathOf } from './proxy/routes-table.js';

/**
 * Routes listed in DEPRECATED_ROUTES still work, and say so on every answer (errors too):
 * `Deprecation: true` and `Sunset: <HTTP-date>` (RFC 8594), so clients can move in time.
 */
export function registerDeprecations(app: FastifyInstance, routes: DeprecatedRoute[]): void {
  if (routes.length === 0) return;
  const find = (method: string, path: string) =>
    routes.find(
      (route) =>
        (route.method === method || (method === 'HEAD' && route.method === 'GET')) &&
        (route.path.endsWith('/*') ? path.startsWith(route.path.slice(0, -1)) : route.path === path),
    );
  app.addHook('onRequest', (request, reply, done) => {
    const route = find(request.method, pathOf(request.url));
    if (route) reply.header('deprecation', 'true').header('sunset', route.sunset);
    done();
  });
}
