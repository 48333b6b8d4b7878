import { z } from 'zod';
import {
  baseEnvSchema,
  envBoolean,
  envInt,
  envList,
  httpServerEnv,
  loadConfig,
  portSchema,
  shutdownEnv,
  toHttpServerSettings,
  urlSchema,
  type Env,
  type HttpServerSettings,
} from '@platform/config';

import { upstreamNames, upstreamTable, upstreamUrlVariable, type UpstreamName } from './upstreams.js';

export { upstreamNames, upstreamUrlVariable, type UpstreamName } from './upstreams.js';

const httpUrl = urlSchema(['http', 'https']);

/** `USERS_URL`, `BILLING_URL`, ...: one variable per row of the upstream table, defaulting to its local URL. */
const upstreamUrlEnv = Object.fromEntries(upstreamNames.map((name) => [upstreamUrlVariable(name), httpUrl.default(upstreamTable[name].defaultUrl)])) as Record<
  `${Uppercase<string>}_URL`,
  z.ZodDefault<typeof httpUrl>
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
  USERS_URL: httpUrl.default(upstreamTable.users.defaultUrl),
  UPSTREAM_TIMEOUT_MS: envInt(10_000, { min: 100 }),
  BODY_LIMIT: envInt(1_048_576, { min: 1024 }),
  ...httpServerEnv,
  TRUST_PROXY: envBoolean(false),
  CORS_ORIGINS: envList(),
  RATE_LIMIT_PER_CLIENT: envInt(1_000, { min: 1 }),
  RATE_LIMIT_PER_USER: envInt(600, { min: 1 }),
  /** Swagger UI and the merged OpenAPI document; off in production unless enabled. */
  DOCS_ENABLED: envBoolean(true),
  JWT_ISSUER: z.string().min(1).default('platform-users'),
  JWT_AUDIENCE: z.string().min(1).default('platform-api'),
  /** `METHOD /path=YYYY-MM-DD` entries, comma-separated; a path ending in `/*` covers everything below it. */
  DEPRECATED_ROUTES: envList().pipe(z.array(deprecatedRouteSchema)),
  ...shutdownEnv,
});

export interface GatewayConfig {
  nodeEnv: 'development' | 'test' | 'production';
  logLevel: string;
  host: string;
  port: number;
  upstreams: Record<UpstreamName, string>;
  upstreamTimeoutMs: number;
  bodyLimit: number;
  /** Request, headers, keep-alive and socket timeouts, connections per client address. */
  http: HttpServerSettings;
  trustProxy: boolean;
  corsOrigins: string[];
  rateLimit: { perClient: number; perUser: number };
  docsEnabled: boolean;
  jwt: { issuer: string; audience: string };
  /** Public keys of the users service: fetched, cached, re-fetched on an unknown `kid`. */
  jwks: { url: string; fetchTimeoutMs: number; maxAgeMs: number; unknownKidCooldownMs: number };
  /** Verified tokens remembered until they expire (skips signature checks on the hot path). */
  verifyCacheSize: number;
  /** Merged OpenAPI document: per-service fetch timeout and how long the merge is reused. */
  openapi: { fetchTimeoutMs: number; cacheMs: number };
  deprecatedRoutes: DeprecatedRoute[];
  /** After SIGTERM: serve this long with /ready at 503, then close. */
  shutdownDrainDelayMs: number;
}

export function loadGatewayConfig(env: Env): GatewayConfig {
  const parsed = loadConfig(gatewayEnvSchema, env);
  return {
    nodeEnv: parsed.NODE_ENV,
    logLevel: parsed.LOG_LEVEL,
    host: parsed.HOST,
    port: parsed.PORT,
    upstreams: Object.fromEntries(upstreamNames.map((name) => [name, (parsed as Record<string, unknown>)[upstreamUrlVariable(name)] as string])) as Record<UpstreamName, string>,
    upstreamTimeoutMs: parsed.UPSTREAM_TIMEOUT_MS,
    bodyLimit: parsed.BODY_LIMIT,
    http: toHttpServerSettings(parsed),
    trustProxy: parsed.TRUST_PROXY,
    corsOrigins: parsed.CORS_ORIGINS,
    rateLimit: { perClient: parsed.RATE_LIMIT_PER_CLIENT, perUser: parsed.RATE_LIMIT_PER_USER },
    docsEnabled: parsed.DOCS_ENABLED && (parsed.NODE_ENV !== 'production' || env.DOCS_ENABLED === 'true'),
    jwt: { issuer: parsed.JWT_ISSUER, audience: parsed.JWT_AUDIENCE },
    jwks: {
      url: new URL('/api/v1/auth/jwks.json', parsed.USERS_URL).href,
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
