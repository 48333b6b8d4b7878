import type { FastifyInstance, FastifyRequest } from 'fastify';
import { addRouteHook, statusClass } from '@platform/http-kit';
import { childCache } from '@platform/metrics';
import { upstreamNames, type UpstreamName } from './config.js';
import type { VerifyCache } from './auth/verify-cache.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The service this request was forwarded to (set once the edge checks passed), else null. */
    upstream: UpstreamName | null;
  }
}

export type RateLimitScope = 'client' | 'user';

/** What the proxy reports: a request forwarded, an upstream that did not answer in time or at all. */
export interface ProxyMetrics {
  forwarded(request: FastifyRequest, upstream: UpstreamName): void;
  failed(upstream: UpstreamName, timedOut: boolean): void;
}

/**
 * The gateway's own series (docs: apps/gateway/README.md): per upstream the answers of forwarded
 * requests by status class, timeouts (504) and unavailability (503); rate-limit rejections by
 * scope; verify-cache hits and misses. Requests refused at the edge (401, 429) are not upstream requests.
 */
export function gatewayMetrics(app: FastifyInstance) {
  const { metrics } = app;
  const requests = metrics.counter({
    name: 'gateway_upstream_requests_total',
    help: 'Requests forwarded to a service, by upstream and the status class of the answer.',
    labelNames: ['upstream', 'status_class'],
  });
  const timeouts = metrics.counter({ name: 'gateway_upstream_timeouts_total', help: 'Forwarded requests answered 504: the service did not answer in time.', labelNames: ['upstream'] });
  const unavailable = metrics.counter({ name: 'gateway_upstream_unavailable_total', help: 'Forwarded requests answered 503: the service refused or dropped the connection.', labelNames: ['upstream'] });
  const rejections = metrics.counter({ name: 'gateway_rate_limit_rejections_total', help: 'Requests refused with 429 by a rate limit, by scope.', labelNames: ['scope'] });
  const storeErrors = metrics.counter({ name: 'gateway_rate_limit_store_errors_total', help: 'Failed rate-limit store commands (Redis); each request was let through (fail open).' });
  storeErrors.inc(0);
  const verifyCache = metrics.counter({ name: 'gateway_verify_cache_requests_total', help: 'Access-token verify-cache lookups, by result.', labelNames: ['result'] });
  // Every label value from the start: dashboards and alert rules see zeros, not missing series.
  for (const upstream of upstreamNames) {
    timeouts.labels(upstream).inc(0);
    unavailable.labels(upstream).inc(0);
  }
  for (const scope of ['client', 'user'] satisfies RateLimitScope[]) rejections.labels(scope).inc(0);
  const hit = verifyCache.labels('hit');
  const miss = verifyCache.labels('miss');
  hit.inc(0);
  miss.inc(0);

  const answered = childCache((upstream, status) => requests.labels(upstream, status));
  app.decorateRequest('upstream', null);
  // Only the proxied routes (`/api/v1/...`) pay for this hook.
  addRouteHook(app, 'onResponse', (route) =>
    route.url.startsWith('/api/')
      ? (request, reply, done) => {
          if (request.upstream) answered(request.upstream, statusClass(reply.statusCode)).inc();
          done();
        }
      : undefined,
  );

  const proxy: ProxyMetrics = {
    forwarded(request, upstream) {
      request.upstream = upstream;
    },
    failed(upstream, timedOut) {
      (timedOut ? timeouts : unavailable).labels(upstream).inc();
    },
  };
  return {
    proxy,
    rateLimited: (scope: RateLimitScope) => rejections.labels(scope).inc(),
    rateLimitStoreError: () => storeErrors.inc(),
    /** Replicas in rotation per upstream, read at scrape time (in memory: no cache needed). */
    watchReplicas(read: () => Record<UpstreamName, number>) {
      metrics.polledGauge({
        name: 'gateway_upstream_replicas_available',
        help: 'Replicas of each service in rotation at the gateway.',
        labelNames: ['upstream'],
        maxAgeMs: 0,
        read: async () => Object.entries(read()).map(([upstream, value]) => ({ labels: { upstream }, value: value as number })),
      });
    },
    /** The same cache, its lookups counted. */
    countedVerifyCache(cache: VerifyCache): VerifyCache {
      return {
        get(header, connection, nowSec) {
          const claims = cache.get(header, connection, nowSec);
          (claims ? hit : miss).inc();
          return claims;
        },
        set: (header, claims, connection) => cache.set(header, claims, connection),
        get size() {
          return cache.size;
        },
      };
    },
  };
}
