import { createPlatformClient } from '@platform/client';
import { createHttpApp, pathOf, type HttpApp } from '@platform/http-kit';
import { createLogger, type Logger } from '@platform/logging';
import { connectNats, type NatsHandle } from '@platform/messaging';
import { adminGuard } from './auth/admin-guard.js';
import type { ConsoleConfig } from './config.js';
import { deliveriesRoutes } from './routes/deliveries-routes.js';
import { eventsRoutes } from './routes/events-routes.js';
import { platformRoutes } from './routes/platform-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { tracesRoutes } from './routes/traces-routes.js';
import { eventOperations } from './sources/event-operations.js';
import { metricsSampler } from './sources/metrics.js';
import { registerStaticSite } from './static-site.js';

export interface BuildConsoleOptions {
  logger?: Logger;
}

const PUBLIC_API = new Set(['POST /console/api/session']);

/**
 * The operator console: an admin-only JSON API under /console/api and the single-page app that
 * shows it. An operator tool, not a domain service: no database of its own; it reads each app's
 * /ready and /metrics, JetStream (through the messaging operations API) and the gateway.
 */
export async function buildApp(config: ConsoleConfig, options: BuildConsoleOptions = {}): Promise<HttpApp> {
  const logger = options.logger ?? createLogger({ service: 'console', level: config.logLevel });
  const nats: NatsHandle = await connectNats({ servers: config.natsUrl, name: 'console', logger });
  const app = await createHttpApp({
    service: 'console',
    logger,
    server: config.http,
    auth: config.auth,
    metricsToken: config.metricsToken,
    readiness: { nats: () => nats.ping() },
    openapi: { title: 'Operator console API', version: '1.0.0', description: 'Admin only.' },
  });
  app.addHook('onClose', async () => nats.drain());

  const gateway = createPlatformClient({ baseUrl: config.gatewayUrl, timeoutMs: config.fetchTimeoutMs });
  const guard = adminGuard(gateway, config.roleCheckCacheMs, config.fetchTimeoutMs);
  app.addHook('preHandler', async (request) => {
    const path = pathOf(request.url);
    if (!path.startsWith('/console/api/') || PUBLIC_API.has(`${request.method} ${path}`)) return;
    await guard(request);
  });
  // Every action and every read, with the admin who did it (the guard has run by now).
  app.addHook('onResponse', async (request, reply) => {
    if (!request.url.startsWith('/console/api/') || !request.user) return;
    request.log.info({ adminId: request.user.sub, action: `${request.method} ${request.routeOptions.url}`, status: reply.statusCode }, 'console action');
  });

  const events = eventOperations(nats, config.eventNamespace);
  const metrics = metricsSampler({ apps: config.apps, token: config.metricsToken, timeoutMs: config.fetchTimeoutMs });
  sessionRoutes(app, gateway, config.fetchTimeoutMs);
  platformRoutes(app, { config, events, metrics });
  eventsRoutes(app, events);
  deliveriesRoutes(app, gateway, config.fetchTimeoutMs);
  tracesRoutes(app, { events, tracesUrl: config.tracesUrl, timeoutMs: config.fetchTimeoutMs });
  await registerStaticSite(app, config.staticDir);
  await app.ready();
  return app;
}
