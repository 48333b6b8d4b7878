import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHttpApp } from '@platform/http-kit';
import { createLogger, type Logger } from '@platform/logging';
import { edgeAuthenticator } from './auth/edge-auth.js';
import { createJwksCache, type JwksCache } from './auth/jwks-cache.js';
import { createVerifyCache } from './auth/verify-cache.js';
import type { GatewayConfig } from './config.js';
import { registerDeprecations } from './deprecation.js';
import { gatewayMetrics } from './metrics.js';
import { registerDocs } from './openapi/docs.js';
import { registerProxy } from './proxy/proxy-plugin.js';
import { refuseAmbiguousTargets, rewriteToNormalisedTarget } from './proxy/normalise-target.js';
import { keepRawJsonBodies } from './proxy/raw-body.js';
import { isPublicRoute, pathOf } from './proxy/routes-table.js';
import { registerRateLimits } from './rate-limit.js';
import { registerSecurity } from './security.js';
import { upstreamReadiness } from './upstream-readiness.js';

export interface BuildGatewayOptions {
  logger?: Logger;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The users public keys (exposed for tests and diagnostics). */
    jwks: JwksCache;
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
  const jwks = createJwksCache({ ...config.jwks, logger });
  const app = await createHttpApp({
    service: 'gateway',
    logger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    server: config.http,
    rewriteUrl: rewriteToNormalisedTarget,
    readiness: upstreamReadiness(config.upstreams, readinessTimeoutMs - 100),
    readinessTimeoutMs,
    auth: { publicKeys: jwks.resolve, issuer: config.jwt.issuer, audience: config.jwt.audience, algorithms: ['EdDSA', 'RS256'] },
    openapi: { title: 'Platform API', version: '1.0.0', description: 'The one HTTP API clients call.', serveDocument: false },
    // The gateway's own /metrics on its port (never a proxied path: no prefix covers it).
    metricsToken: config.metrics.token,
  });
  app.decorate('jwks', jwks);
  refuseAmbiguousTargets(app);
  keepRawJsonBodies(app);
  await registerSecurity(app, config.corsOrigins);
  registerDeprecations(app, config.deprecatedRoutes);
  const metrics = gatewayMetrics(app);
  const limitPerUser = await registerRateLimits(app, config, metrics.rateLimited);
  const authenticate = edgeAuthenticator(metrics.countedVerifyCache(createVerifyCache(config.verifyCacheSize)), jwks);

  await registerProxy(app, {
    config,
    metrics: metrics.proxy,
    guard: async (request: FastifyRequest, reply: FastifyReply) => {
      if (isPublicRoute(request.method, pathOf(request.url))) return;
      await authenticate(request);
      await limitPerUser(request, reply);
    },
  });
  if (config.docsEnabled) await registerDocs(app, config);

  // Warm the key cache; a users service still starting is fine (keys are fetched on first use).
  app.addHook('onReady', async () => {
    void jwks.refresh();
  });
  await app.ready();
  return app;
}
