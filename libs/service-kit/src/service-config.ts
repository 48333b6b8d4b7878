import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import {
  baseEnvSchema,
  databaseEnv,
  databaseUrlSchema,
  envBoolean,
  envInt,
  findWorkspaceRoot,
  httpServerEnv,
  messagingEnv,
  metricsEnv,
  portSchema,
  shutdownEnv,
  toDatabaseSettings,
  toHttpServerSettings,
  toMetricsSettings,
  toTracingSettings,
  tracingEnv,
  type DatabaseSettings,
  type HttpServerSettings,
  type MetricsSettings,
  type TracingSettings,
} from '@platform/config';
import { keyId } from './key-id.js';

/**
 * Key files are given relative to the workspace root in `.env.example` (`.keys/...`), whatever
 * folder the process starts in (`npm start` vs `nx serve`); absolute paths are used as they are.
 */
export function resolveKeyPath(path: string, cwd = process.cwd()): string {
  if (isAbsolute(path)) return path;
  return resolve(findWorkspaceRoot(cwd) ?? cwd, path);
}

function readPem(kind: 'public' | 'private') {
  return (path: string, ctx: z.core.$RefinementCtx<string>) => {
    const file = resolveKeyPath(path);
    if (!existsSync(file)) {
      ctx.addIssue({ code: 'custom', message: `no ${kind} key file at ${file} (npm start generates one)` });
      return z.NEVER;
    }
    const pem = readFileSync(file, 'utf8');
    if (!pem.includes(`${kind.toUpperCase()} KEY-----`)) {
      ctx.addIssue({ code: 'custom', message: `${file} is not a PEM ${kind} key` });
      return z.NEVER;
    }
    return pem;
  };
}

export const publicKeyFileSchema = z.string().min(1).transform(readPem('public'));
export const privateKeyFileSchema = z.string().min(1).transform(readPem('private'));

/** Every variable a service with a database and events reads; services `.extend()` it. */
export const serviceEnvSchema = (defaultPort: number) =>
  baseEnvSchema.extend({
    PORT: portSchema(defaultPort),
    DATABASE_URL: databaseUrlSchema,
    /** Pool size per replica, transaction pooling (PgBouncer), the direct URL (see docs/scaling.md). */
    ...databaseEnv,
    ...messagingEnv,
    /** Prefix for stream and subject names; lets several environments share one NATS server. */
    EVENT_NAMESPACE: z.string().regex(/^[a-z0-9]*$/, 'must be lower-case letters and digits').default(''),
    JWT_PUBLIC_KEY_FILE: publicKeyFileSchema,
    JWT_ISSUER: z.string().min(1).default('platform-users'),
    JWT_AUDIENCE: z.string().min(1).default('platform-api'),
    BODY_LIMIT: envInt(1_048_576, { min: 1024 }),
    ...httpServerEnv,
    ...metricsEnv,
    /** Create the database when missing; by default only outside production (where it is provisioned). */
    DATABASE_AUTO_CREATE: envBoolean(),
    ...shutdownEnv,
    /** OpenTelemetry traces (OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER_ARG, ...): off unless `otlp`. */
    ...tracingEnv,
    /**
     * How often the outbox relay looks for rows no wake-up announced (a process that died between
     * its commit and the wake, another replica's rows). Every commit of this process that wrote
     * outbox rows wakes the relay at once, so this only bounds how late a lost wake is caught; each
     * look is a claim transaction, paid even when the service is idle.
     */
    OUTBOX_POLL_INTERVAL_MS: envInt(1_000, { min: 10, max: 60_000 }),
    /** How often the retention worker deletes what is past retention. */
    RETENTION_INTERVAL_SECONDS: envInt(3_600, { min: 1, max: 86_400 }),
    /** Published outbox rows are kept this long (for operators reading what was sent), then deleted. */
    OUTBOX_RETENTION_HOURS: envInt(168, { min: 1 }),
    /**
     * Inbox ids (which events were applied) are kept this long: far beyond the broker's 2-minute
     * duplicate window and the longest a publisher may take to send an event again.
     */
    INBOX_RETENTION_HOURS: envInt(168, { min: 24 }),
  });

export type ServiceEnv = z.infer<ReturnType<typeof serviceEnvSchema>>;

/** What `createService` needs, in the app's own words rather than variable names. */
export interface ServiceConfig {
  service: string;
  nodeEnv: 'development' | 'test' | 'production';
  logLevel: string;
  host: string;
  port: number;
  databaseUrl: string;
  /** Pool size, transaction pooling, direct URL (defaults: 10, off, none). */
  database?: DatabaseSettings;
  autoCreateDatabase: boolean;
  /** One server or a comma-separated seed list of a cluster. */
  natsUrl: string;
  /** How many cluster nodes keep each stream this service creates (default 1). */
  streamReplicas?: number;
  eventNamespace: string;
  bodyLimit: number;
  /** Request, headers, keep-alive and socket timeouts, connections per client (http-kit defaults when absent). */
  http?: HttpServerSettings;
  /** `/metrics` settings (bearer token); open when absent. */
  metrics?: MetricsSettings;
  auth: { publicKeys: Array<{ kid: string; pem: string }>; issuer: string; audience: string };
  /** After SIGTERM: serve this long with /ready at 503, then close. */
  shutdownDrainDelayMs: number;
  /** OpenTelemetry traces; started by `runService` before the app is built. */
  tracing?: TracingSettings;
  /** The outbox relay's fallback poll (ms); the relay's own default (250) when absent. */
  outboxPollIntervalMs?: number;
  /** The retention worker: how often it runs, and how long outbox and inbox rows are kept. */
  retention: { intervalMs: number; outboxMs: number; inboxMs: number };
}

const HOUR_MS = 3_600_000;

export function toServiceConfig(service: string, env: ServiceEnv): ServiceConfig {
  return {
    service,
    nodeEnv: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    database: toDatabaseSettings(env),
    autoCreateDatabase: env.DATABASE_AUTO_CREATE ?? env.NODE_ENV !== 'production',
    natsUrl: env.NATS_URL,
    streamReplicas: env.EVENT_STREAM_REPLICAS,
    eventNamespace: env.EVENT_NAMESPACE,
    bodyLimit: env.BODY_LIMIT,
    http: toHttpServerSettings(env),
    metrics: toMetricsSettings(env),
    shutdownDrainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS,
    tracing: toTracingSettings(env, service),
    outboxPollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
    retention: {
      intervalMs: env.RETENTION_INTERVAL_SECONDS * 1_000,
      outboxMs: env.OUTBOX_RETENTION_HOURS * HOUR_MS,
      inboxMs: env.INBOX_RETENTION_HOURS * HOUR_MS,
    },
    auth: {
      publicKeys: [{ kid: keyId(env.JWT_PUBLIC_KEY_FILE), pem: env.JWT_PUBLIC_KEY_FILE }],
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
    },
  };
}
