import { resolve } from 'node:path';
import * as z from 'zod';
import {
  baseEnvSchema,
  envInt,
  findWorkspaceRoot,
  httpServerEnv,
  loadConfig,
  metricsEnv,
  natsUrlSchema,
  portSchema,
  shutdownEnv,
  toHttpServerSettings,
  toMetricsSettings,
  urlSchema,
  type Env,
  type HttpServerSettings,
} from '@platform/config';
import { keyId, publicKeyFileSchema } from '@platform/service-kit';

/** The processes the console watches, in the order it shows them. */
export const watchedApps = ['gateway', 'users', 'billing', 'notifications', 'analytics'] as const;
export type WatchedApp = (typeof watchedApps)[number];

const httpUrl = urlSchema(['http', 'https']);

export const consoleEnvSchema = baseEnvSchema.extend({
  PORT: portSchema(3005),
  GATEWAY_URL: httpUrl.default('http://127.0.0.1:3000'),
  USERS_URL: httpUrl.default('http://127.0.0.1:3001'),
  BILLING_URL: httpUrl.default('http://127.0.0.1:3002'),
  NOTIFICATIONS_URL: httpUrl.default('http://127.0.0.1:3003'),
  ANALYTICS_URL: httpUrl.default('http://127.0.0.1:3004'),
  NATS_URL: natsUrlSchema,
  EVENT_NAMESPACE: z.string().regex(/^[a-z0-9]*$/, 'must be lower-case letters and digits').default(''),
  JWT_PUBLIC_KEY_FILE: publicKeyFileSchema,
  JWT_ISSUER: z.string().min(1).default('platform-users'),
  JWT_AUDIENCE: z.string().min(1).default('platform-api'),
  /** The token every app's `/metrics` asks for when set: the console sends it and asks it for its own. */
  ...metricsEnv,
  /** Where the built single-page app is (relative paths: from the workspace root). */
  CONSOLE_STATIC_DIR: z.string().min(1).default('dist/apps/console/public'),
  /** How long an admin's current role and status, read from users, are trusted. */
  CONSOLE_ROLE_CHECK_CACHE_MS: envInt(5_000, { min: 0, max: 60_000 }),
  /** Base URL of a Jaeger-compatible trace query API (`/api/traces`); unset: no trace view. */
  CONSOLE_TRACES_URL: z.union([z.literal(''), httpUrl]).optional(),
  /** Budget for one call the console makes (a /ready, a /metrics, the gateway, NATS). */
  CONSOLE_FETCH_TIMEOUT_MS: envInt(3_000, { min: 100, max: 30_000 }),
  ...httpServerEnv,
  ...shutdownEnv,
});

export interface ConsoleConfig {
  nodeEnv: 'development' | 'test' | 'production';
  logLevel: string;
  host: string;
  port: number;
  gatewayUrl: string;
  /** Base URL of each watched process (its /ready and /metrics). */
  apps: Record<WatchedApp, string>;
  natsUrl: string;
  eventNamespace: string;
  auth: { publicKeys: Array<{ kid: string; pem: string }>; issuer: string; audience: string };
  metricsToken?: string;
  staticDir: string;
  roleCheckCacheMs: number;
  tracesUrl?: string;
  fetchTimeoutMs: number;
  http: HttpServerSettings;
  shutdownDrainDelayMs: number;
}

export function loadConsoleConfig(env: Env): ConsoleConfig {
  const parsed = loadConfig(consoleEnvSchema, env);
  const root = findWorkspaceRoot(process.cwd()) ?? process.cwd();
  return {
    nodeEnv: parsed.NODE_ENV,
    logLevel: parsed.LOG_LEVEL,
    host: parsed.HOST,
    port: parsed.PORT,
    gatewayUrl: parsed.GATEWAY_URL,
    apps: {
      gateway: parsed.GATEWAY_URL,
      users: parsed.USERS_URL,
      billing: parsed.BILLING_URL,
      notifications: parsed.NOTIFICATIONS_URL,
      analytics: parsed.ANALYTICS_URL,
    },
    natsUrl: parsed.NATS_URL,
    eventNamespace: parsed.EVENT_NAMESPACE,
    auth: {
      publicKeys: [{ kid: keyId(parsed.JWT_PUBLIC_KEY_FILE), pem: parsed.JWT_PUBLIC_KEY_FILE }],
      issuer: parsed.JWT_ISSUER,
      audience: parsed.JWT_AUDIENCE,
    },
    metricsToken: toMetricsSettings(parsed).token,
    staticDir: resolve(root, parsed.CONSOLE_STATIC_DIR),
    roleCheckCacheMs: parsed.CONSOLE_ROLE_CHECK_CACHE_MS,
    tracesUrl: parsed.CONSOLE_TRACES_URL || undefined,
    fetchTimeoutMs: parsed.CONSOLE_FETCH_TIMEOUT_MS,
    http: toHttpServerSettings(parsed),
    shutdownDrainDelayMs: parsed.SHUTDOWN_DRAIN_DELAY_MS,
  };
}
