import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { HTTP_SERVER_DEFAULTS, type HttpServerSettings } from '@platform/config';
import { requestIdLogLabel, type Logger } from '@platform/logging';
import { createMetrics, type Metrics } from '@platform/metrics';
import { installHttpTracing } from '@platform/tracing';
import { registerAuth, type AuthOptions } from './auth/auth-plugin.js';
import { clientErrorHandler } from './client-errors.js';
import { installJsonOnlyParsing } from './content-type.js';
import { installNulGuard } from './nul-guard.js';
import { installConnectionDraining } from './connection-draining.js';
import type { AppError } from './errors/app-error.js';
import { installErrorHandling, sendError } from './error-handling.js';
import { HEALTH_PATHS, registerHealthRoutes, type ReadinessChecks } from './health.js';
import { installHttpMetrics, METRICS_PATH } from './metrics.js';
import { OPENAPI_PATH, registerOpenApi, type OpenApiOptions } from './openapi.js';
import { outputSerializerCompiler } from './output/output-serializer.js';
import { REQUEST_ID_HEADER, genRequestId } from './request-id.js';
import { lazyRequestLogger, pathOf, RequestLogController } from './request-logger.js';
import { capConnectionsPerClient, timeoutOptions } from './server-limits.js';
import { installStrictQueryStrings, strictQueryValidatorCompiler } from './strict-query.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The `module` every envelope of this app carries. */
    serviceName: string;
    /** True from SIGTERM on (see runServer): `/ready` answers 503 so load balancers stop sending. */
    draining: boolean;
    /** This app's Prometheus registry, served at `GET /metrics`. */
    metrics: Metrics;
  }
}

export interface HttpAppOptions {
  /** Service name: `module` in envelopes, OpenAPI title default. */
  service: string;
  logger: Logger;
  bodyLimit?: number;
  trustProxy?: boolean | string | string[];
  /** Named dependency checks for `/ready`, e.g. `{ postgres: () => ping(db), nats: ... }`. */
  readiness?: ReadinessChecks;
  readinessTimeoutMs?: number;
  auth?: AuthOptions;
  openapi?: OpenApiOptions;
  /** Request, headers, keep-alive and socket timeouts, connections per client (defaults: `HTTP_SERVER_DEFAULTS`). */
  server?: Partial<HttpServerSettings>;
  /**
   * Rewrites each request's URL before routing (Fastify `rewriteUrl`): routing, hooks and
   * `request.url` see the result, `request.originalUrl` keeps what the client sent.
   */
  rewriteUrl?: (request: IncomingMessage) => string;
  /** The app's metrics registry (services share it with their consumers); one is created when absent. */
  metrics?: Metrics;
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>` (METRICS_TOKEN). */
  metricsToken?: string;
  /**
   * A request this answers an error for is refused with it, before routing goes further (after
   * the connection cap and draining): service-kit's 503 while Postgres is down. It runs in the
   * app's one onRequest hook rather than a hook of its own (one runner step less a request).
   */
  refuse?: (request: FastifyRequest) => AppError | undefined;
}

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

const QUIET_PATHS = new Set([...HEALTH_PATHS, OPENAPI_PATH, METRICS_PATH]);

/**
 * A Fastify app with the platform's conventions already in place: zod validation (strict query
 * strings) and serialization, the envelope error handler and 404, protocol-level client errors
 * in the envelope too, request ids, JSON-only bodies (at most 32 levels deep), request/headers/
 * keep-alive timeouts and a per-client connection cap, OpenAPI, `/health` + `/ready`, `/metrics`, and (with
 * `auth`) access-token verification. Add routes, then listen with `runServer`.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const server = { ...HTTP_SERVER_DEFAULTS, ...options.server };
  const app = Fastify({
    ...timeoutOptions(server),
    clientErrorHandler,
    ...(options.rewriteUrl ? { rewriteUrl: options.rewriteUrl } : {}),
    // Typed as Fastify's base logger so the app stays assignable to plain `FastifyInstance`.
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    genReqId: genRequestId,
    // request.log becomes a pino child only when the request writes a line (see request-logger.ts).
    childLoggerFactory: lazyRequestLogger,
    // Fastify's own answer while closing is a bare JSON body; ours is the envelope (see below).
    return503OnClosing: false,
    logController: new RequestLogController({
      requestIdLogLabel,
      // Probes hit /health and /ready every few seconds: their lines would drown the rest.
      disableRequestLogging: (request) => QUIET_PATHS.has(pathOf(request.url)),
    }),
    frameworkErrors: (error, request, reply) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      sendError(error, request, reply);
    },
  });

  app.decorate('serviceName', options.service);
  app.decorate('draining', false);
  app.decorate('metrics', options.metrics ?? createMetrics({ service: options.service }));
  // First, so every route registered below gets its server span (a no-op with tracing off).
  installHttpTracing(app, pathOf);
  app.setValidatorCompiler(strictQueryValidatorCompiler);
  // zod's check on every response body, through an ajv-compiled equivalent where one exists.
  app.setSerializerCompiler(outputSerializerCompiler);
  installStrictQueryStrings(app);
  installJsonOnlyParsing(app);
  installNulGuard(app);
  installErrorHandling(app);
  // One callback hook for the request id, the connection cap and draining: each hook is a step of
  // Fastify's runner per request, and an async one a promise and a microtask turn besides
  // (docs/benchmarks.md, issue 12 rounds 3 and 5).
  const overCap = capConnectionsPerClient(app, server.maxConnectionsPerClient);
  const refusedWhileClosing = installConnectionDraining(app);
  const { refuse } = options;
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done(overCap(request) ?? refusedWhileClosing() ?? refuse?.(request));
  });
  installHttpMetrics(app, app.metrics, options.metricsToken);

  await registerOpenApi(
    app,
    options.openapi ?? { title: `${options.service} service`, version: '1.0.0' },
    options.auth !== undefined,
  );
  if (options.auth) await registerAuth(app, options.auth);
  registerHealthRoutes(app, options.readiness ?? {}, options.readinessTimeoutMs);
  return app.withTypeProvider<ZodTypeProvider>();
}
