import { z } from 'zod';
import { baseEnvSchema, envBoolean, envInt, envList, loadConfig, portSchema, urlSchema, type Env } from '@platform/config';

export const upstreamNames = ['users', 'billing', 'notifications', 'analytics'] as const;
export type UpstreamName = (typeof upstreamNames)[number];

const httpUrl = urlSchema(['http', 'https']);

export const gatewayEnvSchema = baseEnvSchema.extend({
  PORT: portSchema(3000),
  USERS_URL: httpUrl.default('http://127.0.0.1:3001'),
  BILLING_URL: httpUrl.default('http://127.0.0.1:3002'),
  NOTIFICATIONS_URL: httpUrl.default('http://127.0.0.1:3003'),
  ANALYTICS_URL: httpUrl.default('http://127.0.0.1:3004'),
  UPSTREAM_TIMEOUT_MS: envInt(10_000, { min: 100 }),
  BODY_LIMIT: envInt(1_048_576, { min: 1024 }),
  TRUST_PROXY: envBoolean(false),
  CORS_ORIGINS: envList(),
  RATE_LIMIT_PER_CLIENT: envInt(1_000, { min: 1 }),
  RATE_LIMIT_PER_USER: envInt(600, { min: 1 }),
  /** Swagger UI and the merged OpenAPI document; off in production unless enabled. */
  DOCS_ENABLED: envBoolean(true),
  JWT_ISSUER: z.string().min(1).default('platform-users'),
  JWT_AUDIENCE: z.string().min(1).default('platform-api'),
});

export interface GatewayConfig {
  nodeEnv: 'development' | 'test' | 'production';
  logLevel: string;
  host: string;
  port: number;
  upstreams: Record<UpstreamName, string>;
  upstreamTimeoutMs: number;
  bodyLimit: number;
  trustProxy: boolean;
  corsOrigins: string[];
  rateLimit: { perClient: number; perUser: number };
  docsEnabled: boolean;
  jwt: { issuer: string; audience: string };
}

export function loadGatewayConfig(env: Env): GatewayConfig {
  const parsed = loadConfig(gatewayEnvSchema, env);
  return {
    nodeEnv: parsed.NODE_ENV,
    logLevel: parsed.LOG_LEVEL,
    host: parsed.HOST,
    port: parsed.PORT,
    upstreams: {
      users: parsed.USERS_URL,
      billing: parsed.BILLING_URL,
      notifications: parsed.NOTIFICATIONS_URL,
      analytics: parsed.ANALYTICS_URL,
    },
    upstreamTimeoutMs: parsed.UPSTREAM_TIMEOUT_MS,
    bodyLimit: parsed.BODY_LIMIT,
    trustProxy: parsed.TRUST_PROXY,
    corsOrigins: parsed.CORS_ORIGINS,
    rateLimit: { perClient: parsed.RATE_LIMIT_PER_CLIENT, perUser: parsed.RATE_LIMIT_PER_USER },
    docsEnabled: parsed.DOCS_ENABLED && (parsed.NODE_ENV !== 'production' || env.DOCS_ENABLED === 'true'),
    jwt: { issuer: parsed.JWT_ISSUER, audience: parsed.JWT_AUDIENCE },
  };
}
