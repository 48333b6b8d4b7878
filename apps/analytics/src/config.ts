import { envInt, loadConfig, type Env } from '@platform/config';
import { serviceEnvSchema, toServiceConfig, type ServiceConfig } from '@platform/service-kit';

export const analyticsEnvSchema = serviceEnvSchema(3004).extend({
  /** Events stored per ingest transaction. */
  INGEST_BATCH_SIZE: envInt(1000, { min: 1, max: 5_000 }),
  /** Deliveries before an event whose store keeps failing is dead-lettered. */
  INGEST_MAX_ATTEMPTS: envInt(5, { min: 1, max: 100 }),
});

export interface AnalyticsConfig extends ServiceConfig {
  /** Absent when a caller (the shared boot suite) builds a plain ServiceConfig: defaults apply. */
  ingest?: { batchSize: number; maxAttempts: number };
}

/** Validates the environment once; a bad variable stops the process with one line. */
export function loadAnalyticsConfig(env: Env): AnalyticsConfig {
  const parsed = loadConfig(analyticsEnvSchema, env);
  return {
    ...toServiceConfig('analytics', parsed),
    ingest: { batchSize: parsed.INGEST_BATCH_SIZE, maxAttempts: parsed.INGEST_MAX_ATTEMPTS },
  };
}

/** Ingest settings when the config has none. */
export const defaultIngest = { batchSize: 1000, maxAttempts: 5 };
