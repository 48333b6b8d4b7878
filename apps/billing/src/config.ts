import { envInt, loadConfig, type Env } from '@platform/config';
import { serviceEnvSchema, toServiceConfig, type ServiceConfig } from '@platform/service-kit';

export const billingEnvSchema = serviceEnvSchema(3002).extend({
  /**
   * How long an Idempotency-Key is remembered: a retry within it gets the first payment back, a
   * key reused after it is a new request. At least a day, as payment providers do.
   */
  IDEMPOTENCY_KEY_RETENTION_HOURS: envInt(24, { min: 24 }),
});

export interface BillingConfig extends ServiceConfig {
  /** Absent when a caller (the shared boot suite) builds a plain ServiceConfig: defaults apply. */
  billing?: { idempotencyKeyRetentionMs: number };
}

export const defaultBillingSettings = { idempotencyKeyRetentionMs: 24 * 3_600_000 };

/** Validates the environment once; a bad variable stops the process with one line. */
export function loadBillingConfig(env: Env): BillingConfig {
  const parsed = loadConfig(billingEnvSchema, env);
  return {
    ...toServiceConfig('billing', parsed),
    billing: { idempotencyKeyRetentionMs: parsed.IDEMPOTENCY_KEY_RETENTION_HOURS * 3_600_000 },
  };
}
