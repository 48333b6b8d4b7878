import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { createHttpApp } from '@platform/http-kit';
import { createLogger, type Logger } from '@platform/logging';
import { edgeAuthenticator } from './auth/edge-auth.js';
import { createJwksCache, type JwksCache } from './auth/jwks-cache.js';
import { createVerifyCache } from './auth/verify-cache.js';
import type { GatewayConfig, UpstreamName } from './config.js';
import { registerDeprecations } from './deprecation.js';
import { gatewayMetrics } from './metrics.js';
import { registerDocs } from './openapi/docs.js';
import { registerProxy } from './proxy/proxy-plugin.js';
import { refusedTarget, rewriteToNormalisedTarget } from './proxy/normalise-target.js';
import { keepRawJsonBodies } from './proxy/raw-body.js';
import { createUpstreams, replicasAvailable, type Upstreams } from './proxy/replicas.js';
import { isPublicRoute, pathOf } from './proxy/routes-table.js';
import { registerRateLimits } from './rate-limit/rate-limit.js';
import { registerCors, securityHeaderSetter } from './security.js';
import { upstreamReadiness } from './upstream-readiness.js';

export interface BuildGatewayOptions {
  logger?: Logger;
  /** Called on every failed rate-limit store command (Redis down or slow: the request is let through). */
  onRateLimitStoreError?: (error: Error) => void;
}

/** Figures for metrics (`gateway_upstream_replicas_available`, `gateway_rate_limit_store_errors_total`). */
export interface EdgeStats {
  replicasAvailable(): Record<UpstreamName, number>;
  readonly rateLimitStoreErrors: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The users public keys (exposed for tests and diagnostics). */
    jwks: JwksCache;
    /** Every service's replicas and which are in rotation. */
    upstreams: Upstreams;
    edgeStats: EdgeStats;
  }
}

/**
 * The one HTTP API clients call; `main.ts` serves it, tests inject into it. Per request:
 * target normalised (every decision below is made on it, and it is what is forwarded) →
 * request id → security headers / CORS → deprecation headers → per-client limit → (proxied,
 * non-public routes) token verified at the edge → per-user limit → forwarded.
 */
export async function buildApp(config: GatewayConfig, options: BuildGatewayOptions = {}) {
  const logger = options.logger ?? createLogger({ service: 'gateway', level: config.logLevel });
  const readinessTimeoutMs = 2_000;
  const upstreams = createUpstreams(config.upstreams, { probeIntervalMs: config.upstreamProbeIntervalMs, probeTimeoutMs: readinessTimeoutMs - 100, logger });
  const jwks = createJwksCache({ ...config.jwks, logger });
  const app = await createHttpApp({
    service: 'gateway',
    logger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    server: config.http,
    rewriteUrl: rewriteToNormalisedTarget,
    readiness: upstreamReadiness(upstreams, readinessTimeoutMs - 100),
    readinessTimeoutMs,
    auth: { publicKeys: jwks.resolve, issuer: config.jwt.issuer, audience: config.jwt.audience, algorithms: ['EdDSA', 'RS256'] },
    openapi: { title: 'Platform API', version: '1.0.0', description: 'The one HTTP API clients call.', serveDocument: false },
    // The gateway's own /metrics on its port (never a proxied path: no prefix covers it).
    metricsToken: config.metrics.token,
  });
  app.decorate('jwks', jwks);
  app.decorate('upstreams', upstreams);
  app.addHook('onClose', async () => {
    for (const replicas of Object.values(upstreams)) replicas.close();
  });
  // The edge's first hook, one for both (a callback hook: each hook is a step of Fastify's runner
  // per request): security headers on every answer, a refused target's 400 included, then that
  // 400 before anything else runs.
  const setSecurityHeaders = securityHeaderSetter();
  app.addHook('onRequest', (request, reply, done) => {
    setSecurityHeaders(reply);
    done(refusedTarget(request));
  });
  keepRawJsonBodies(app);
  await registerCors(app, config.corsOrigins);
  registerDeprecations(app, config.deprecatedRoutes);
  const metrics = gatewayMetrics(app);
  const limits = await registerRateLimits(app, config, {
    onRejected: metrics.rateLimited,
    onStoreError: (error) => {
      metrics.rateLimitStoreError();
      options.onRateLimitStoreError?.(error);
    },
  });
  const edgeStats: EdgeStats = {
    replicasAvailable: () => replicasAvailable(upstreams),
    get rateLimitStoreErrors() {
      return limits.storeErrors();
    },
  };
  app.decorate('edgeStats', edgeStats);
  metrics.watchReplicas(edgeStats.replicasAvailable);
  const authenticate = edgeAuthenticator(metrics.countedVerifyCache(createVerifyCache(config.verifyCacheSize)), jwks);

  await registerProxy(app, {
    config,
    upstreams,
    metrics: metrics.proxy,
    // A callback hook: public routes pass at once, a cached token goes straight to the per-user limit.
    guard: (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      if (isPublicRoute(request.method, pathOf(request.url))) {
        done();
        return;
      }
      const verifying = authenticate(request);
      if (verifying) verifying.then(() => limits.perUser(request, reply, done), done);
      else limits.perUser(request, reply, done);
    },
  });
  if (config.docsEnabled) registerDocs(app, config, upstreams);

  // Warm the key cache; a users service still starting is fine (keys are fetched on first use).
  app.addHook('onReady', async () => {
    void jwks.refresh();
  });
  await app.ready();
  return app;
}
