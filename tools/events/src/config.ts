import { databaseUrlSchema, natsUrlSchema, parseConfig, serviceEnv, type Env } from '@platform/config';
import * as z from 'zod';

/** The services with a database (and so an outbox); the gateway has none. */
export const services = ['users', 'billing', 'notifications', 'analytics'] as const;
export type Service = (typeof services)[number];

const schema = z.object({
  NATS_URL: natsUrlSchema,
  EVENT_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, 'must be a-z, 0-9, _ and -, at most 32')
    .optional(),
  USERS_DATABASE_URL: databaseUrlSchema.optional(),
  BILLING_DATABASE_URL: databaseUrlSchema.optional(),
  NOTIFICATIONS_DATABASE_URL: databaseUrlSchema.optional(),
  ANALYTICS_DATABASE_URL: databaseUrlSchema.optional(),
});

export interface CliConfig {
  natsUrl: string;
  namespace?: string;
  /** Each service's database as the service itself resolves it (`BILLING_DATABASE_URL`, else `DATABASE_URL`). */
  databases: Partial<Record<Service, string>>;
}

/** Validated once, before any command runs; throws ConfigError (one line) on a bad variable. */
export function parseCliConfig(env: Env): CliConfig {
  const scoped: Env = { NATS_URL: env.NATS_URL, EVENT_NAMESPACE: env.EVENT_NAMESPACE };
  for (const service of services) scoped[`${service.toUpperCase()}_DATABASE_URL`] = serviceEnv(service, env).DATABASE_URL;
  const parsed = parseConfig(schema, scoped);
  return {
    natsUrl: parsed.NATS_URL,
    namespace: parsed.EVENT_NAMESPACE,
    databases: {
      users: parsed.USERS_DATABASE_URL,
      billing: parsed.BILLING_DATABASE_URL,
      notifications: parsed.NOTIFICATIONS_DATABASE_URL,
      analytics: parsed.ANALYTICS_DATABASE_URL,
    },
  };
}
