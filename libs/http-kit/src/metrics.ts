import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler, RouteOptions } from 'fastify';
import { childCache, type Metrics } from '@platform/metrics';
import { unauthorized } from './errors/app-error.js';

export const METRICS_PATH = '/metrics';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];
/** `2xx`, `4xx`...: the `status_class` label. */
export const statusClass = (status: number): string => STATUS_CLASSES[Math.floor(status / 100) - 1] ?? '5xx';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `Authorization: Bearer <token>` compared in constant time (digests of equal length). */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(header.slice(7)), expected);
}

/**
 * Request metrics for every route (pattern, never the raw URL: `/api/v1/invoices/:id`, or
 * `unmatched`), counted in onResponse hooks from Fastify's own elapsed time; `GET /metrics`
 * (Prometheus text format) itself is left out of them. With a token, a scrape must present it.
 */
export function installHttpMetrics(app: FastifyInstance, metrics: Metrics, token?: string): void {
  const requests = metrics.counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status class.',
    labelNames: ['route', 'method', 'status_class'],
  });
  const duration = metrics.histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to the end of its answer, by route pattern and method.',
    labelNames: ['route', 'method'],
  });
  const countOf = childCache((route, method, status) => requests.labels(route, method, status));
  const timerOf = childCache((route, method) => duration.labels(route, method));
  const record = (route: string, request: FastifyRequest, reply: FastifyReply) => {
    countOf(route, request.method, statusClass(reply.statusCode)).inc();
    timerOf(route, request.method).observe(reply.elapsedTime / 1000);
  };

  // Each route gets its own hook with its pattern in hand (no `request.routeOptions`, a getter
  // that builds a frozen object per call); callback hooks, so no promise per request either.
  addRouteHook(app, 'onResponse', (route) =>
    route.url === METRICS_PATH ? undefined : (request, reply, done) => {
      record(route.url, request, reply);
      done();
    },
  );
  // Requests no route matched (404 handler): hooks of the app itself reach them.
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) record('unmatched', request, reply);
    done();
  });

  const expected = token === undefined ? undefined : digest(token);
  app.get(METRICS_PATH, { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    if (expected && !bearerMatches(request.headers.authorization, expected)) {
      throw unauthorized('A valid metrics token is required', { headers: { 'www-authenticate': 'Bearer realm="metrics"' } });
    }
    const text = await metrics.render();
    return reply.type(metrics.contentType).header('cache-control', 'no-store').send(text);
  });
}

type ResponseHook = onResponseHookHandler;

/**
 * Appends a hook built for each route registered from now on (its own pattern and methods known),
 * after the route's own hooks; `make` returns nothing to leave a route alone.
 */
export function addRouteHook(app: FastifyInstance, name: 'onResponse', make: (route: RouteOptions) => ResponseHook | undefined): void {
  app.addHook('onRoute', (route) => {
    const hook = make(route);
    if (hook) route[name] = [...[route[name] ?? []].flat(), hook];
  });
}

/**
 * Calls `count(statusCode)` after each answer of one route (method and pattern, as registered):
 * service metrics derived from what the route answered, without touching its handler. Call it
 * before the route is registered.
 */
export function onRouteResponse(app: FastifyInstance, method: string, url: string, count: (statusCode: number) => void): void {
  addRouteHook(app, 'onResponse', (route) =>
    route.url === url && [route.method].flat().includes(method as never)
      ? (_request, reply, done) => {
          count(reply.statusCode);
          done();
        }
      : undefined,
  );
}
