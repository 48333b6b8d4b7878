import { loadConfig, type Env } from '@platform/config';
import { serviceEnvSchema, toServiceConfig, type ServiceConfig } from '@platform/service-kit';

export const billingEnvSchema = serviceEnvSchema(3002);

export type BillingConfig = ServiceConfig;

/** Validates the environment once; a bad variable stops the process with one line. */
export function loadBillingConfig(env: Env): BillingConfig {
  return toServiceConfig('billing', loadConfig(billingEnvSchema, env));
}
