import * as z from 'zod';
import {
  baseEnvSchema,
  envBoolean,
  envInt,
  envList,
  httpServerEnv,
  loadConfig,
  metricsEnv,
  portSchema,
  shutdownEnv,
  toHttpServerSettings,
  toMetricsSettings,
  toTracingSettings,
  tracingEnv,
  urlSchema,
  type Env,
  type HttpServerSettings,
  type MetricsSettings,
  type TracingSettings,
} from '@platform/config';

import { upstreamNames, upstreamTable, upstreamUrlVariable, type UpstreamName, type UpstreamUrlVariable } from './upstreams.js';

export { upstreamNames, upstreamUrlVariable, type UpstreamName } from './upstreams.js';

const httpUrl = urlSchema(['http', 'https']);

/** `http://a:3001,http://b:3001`: every replica of one service, at least one, each an http(s) URL. */
const replicaUrls = (fallback: string) =>
  envList([fallback]).transform((urls, ctx) => {
    if (urls.length === 0 || urls.some((url) => !httpUrl.safeParse(url).success)) {
      ctx.addIssue({ code: 'custom', message: 'must be a http or https URL, or several separated by commas (one per replica)' });
      return z.NEVER;
    }
    return [...new Set(urls)];
  });

const redisUrl = urlSchema(['redis', 'rediss']);

/** `USERS_URL`, `BILLING_URL`, ...: one variable per row of the upstream table (src/upstreams.ts), defaulting to its local URL. */
const upstreamUrlEnv = Object.fromEntries(upstreamNames.map((name) => [upstreamUrlVariable(name), replicaUrls(upstreamTable[name].defaultUrl)])) as Record<
  UpstreamUrlVariable,
  ReturnType<typeof replicaUrls>
>;

export interface DeprecatedRoute {
  method: string;
  /** Exact path, or a prefix when it ends in `/*`. */
  path: string;
  /** The date the route goes away, as an HTTP-date for the `Sunset` header. */
  sunset: string;
}

const deprecatedRouteSchema = z
  .string()
  .regex(/^(GET|POST|PUT|PATCH|DELETE) \/\S*=\d{4}-\d{2}-\d{2}$/, 'must look like "GET /api/v1/users/legacy=2027-06-30"')
  .transform((entry, ctx): DeprecatedRoute => {
    const [route = '', date = ''] = entry.split('=');
    const [method = '', path = ''] = route.split(' ');
    const sunset = new Date(`${date}T00:00:00Z`);
    if (Number.isNaN(sunset.getTime())) {
      ctx.addIssue({ code: 'custom', message: `has an invalid date ${date}` });
      return z.NEVER;
    }
    return { method, path, sunset: sunset.toUTCString() };
  });

export const gatewayEnvSchema = baseEnvSchema.extend({
  PORT: portSchema(3000),
  ...upstreamUrlEnv,
  UPSTREAM_TIMEOUT_MS: envInt(10_000, { min: 100 }),
  /** How often a replica taken out (connection failed) is probed on its /ready until it answers 200. */
  UPSTREAM_PROBE_INTERVAL_MS: envInt(1_000, { min: 100, max: 60_000 }),
  BODY_LIMIT: envInt(1_048_576, { min: 1024 }),
  ...httpServerEnv,
  ...metricsEnv,
  TRUST_PROXY: envBoolean(false),
  CORS_ORIGINS: envList(),
  RATE_LIMIT_PER_CLIENT: envInt(1_000, { min: 1 }),
  RATE_LIMIT_PER_USER: envInt(600, { min: 1 }),
  /** Rate-limit counters in Redis (shared by every gateway replica); unset: in memory, per process. */
  REDIS_URL: redisUrl.optional(),
  /** Prefix of every rate-limit key in Redis (several environments may share one Redis). */
  RATE_LIMIT_REDIS_PREFIX: z.string().min(1).max(100).default('platform:rate-limit:'),
  /** Bound on one Redis command (and on connecting); past it the request is let through (fail open). */
  REDIS_TIMEOUT_MS: envInt(500, { min: 50, max: 10_000 }),
  /** Swagger UI and the merged OpenAPI document; off in production unless enabled. */
  DOCS_ENABLED: envBoolean(true),
  JWT_ISSUER: z.string().min(1).default('platform-users'),
  JWT_AUDIENCE: z.string().min(1).default('platform-api'),
  /** `METHOD /path=YYYY-MM-DD` entries, comma-separated; a path ending in `/*` covers everything below it. */
  DEPRECATED_ROUTES: envList().pipe(z.array(deprecatedRouteSchema)),
  ...shutdownEnv,
  /** OpenTelemetry traces (OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER_ARG, ...): off unless `otlp`. */
  ...tracingEnv,
});

export interface GatewayConfig {
  nodeEnv: 'development' | 'test' | 'production';
  logLevel: string;
  host: string;
  port: number;
  /** Every replica's base URL, per service (the gateway balances across them). */
  upstreams: Record<UpstreamName, string[]>;
  upstreamTimeoutMs: number;
  /** How often a replica taken out of rotation is probed. */
  upstreamProbeIntervalMs: number;
  bodyLimit: number;
  /** Request, headers, keep-alive and socket timeouts, connections per client address. */
  http: HttpServerSettings;
  /** The gateway's own `/metrics` (bearer token); open when absent. */
  metrics: MetricsSettings;
  trustProxy: boolean;
  corsOrigins: string[];
  rateLimit: {
    perClient: number;
    perUser: number;
    /** Shared counters; absent: in memory. */
    redis?: { url: string; prefix: string; timeoutMs: number };
  };
  docsEnabled: boolean;
  jwt: { issuer: string; audience: string };
  /** Public keys of the users service: fetched, cached, re-fetched on an unknown `kid`. */
  jwks: { urls: string[]; fetchTimeoutMs: number; maxAgeMs: number; unknownKidCooldownMs: number };
  /** Verified tokens remembered until they expire (skips signature checks on the hot path). */
  verifyCacheSize: number;
  /** Merged OpenAPI document: per-service fetch timeout and how long the merge is reused. */
  openapi: { fetchTimeoutMs: number; cacheMs: number };
  deprecatedRoutes: DeprecatedRoute[];
  /** After SIGTERM: serve this long with /ready at 503, then close. */
  shutdownDrainDelayMs: number;
  /** OpenTelemetry traces; started by `runService` before the app is built. */
  tracing: TracingSettings;
}

export function loadGatewayConfig(env: Env): GatewayConfig {
  const parsed = loadConfig(gatewayEnvSchema, env);
  return {
    nodeEnv: parsed.NODE_ENV,
    logLevel: parsed.LOG_LEVEL,
    host: parsed.HOST,
    port: parsed.PORT,
    upstreams: Object.fromEntries(upstreamNames.map((name) => [name, parsed[upstreamUrlVariable(name)]])) as Record<UpstreamName, string[]>,
    upstreamTimeoutMs: parsed.UPSTREAM_TIMEOUT_MS,
    upstreamProbeIntervalMs: parsed.UPSTREAM_PROBE_INTERVAL_MS,
    bodyLimit: parsed.BODY_LIMIT,
    http: toHttpServerSettings(parsed),
    metrics: toMetricsSettings(parsed),
    // The gateway links its spans through the request itself (server → proxy hop): it needs no
    // AsyncLocalStorage context, whose per-promise hooks would cost every request.
    tracing: { ...toTracingSettings(parsed, 'gateway'), asyncContext: false },
    trustProxy: parsed.TRUST_PROXY,
    corsOrigins: parsed.CORS_ORIGINS,
    rateLimit: {
      perClient: parsed.RATE_LIMIT_PER_CLIENT,
      perUser: parsed.RATE_LIMIT_PER_USER,
      ...(parsed.REDIS_URL ? { redis: { url: parsed.REDIS_URL, prefix: parsed.RATE_LIMIT_REDIS_PREFIX, timeoutMs: parsed.REDIS_TIMEOUT_MS } } : {}),
    },
    docsEnabled: parsed.DOCS_ENABLED && (parsed.NODE_ENV !== 'production' || env.DOCS_ENABLED === 'true'),
    jwt: { issuer: parsed.JWT_ISSUER, audience: parsed.JWT_AUDIENCE },
    jwks: {
      urls: parsed.USERS_URL.map((base) => new URL('/api/v1/auth/jwks.json', base).href),
      fetchTimeoutMs: 5_000,
      maxAgeMs: 10 * 60_000,
      unknownKidCooldownMs: 30_000,
    },
    verifyCacheSize: 10_000,
    openapi: { fetchTimeoutMs: 2_000, cacheMs: 30_000 },
    deprecatedRoutes: parsed.DEPRECATED_ROUTES,
    shutdownDrainDelayMs: parsed.SHUTDOWN_DRAIN_DELAY_MS,
  };
}
