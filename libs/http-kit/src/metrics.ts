import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
 * `unmatched`), counted in one onResponse hook from Fastify's own elapsed time; `GET /metrics`
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

  // A callback hook, not an async one: no promise per request on the hot path.
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route !== METRICS_PATH) {
      countOf(route, request.method, statusClass(reply.statusCode)).inc();
      timerOf(route, request.method).observe(reply.elapsedTime / 1000);
    }
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

/**
 * Calls `count(statusCode)` after each answer of one route (pattern, as registered): service
 * metrics derived from what the route answered, without touching its handler.
 */
export function onRouteResponse(app: FastifyInstance, method: string, url: string, count: (statusCode: number) => void): void {
  app.addHook('onResponse', (request, reply, done) => {
    if (request.routeOptions.url === url && request.method === method) count(reply.statusCode);
    done();
  });
}
