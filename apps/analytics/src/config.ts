import { loadConfig, type Env } from '@platform/config';
import { serviceEnvSchema, toServiceConfig, type ServiceConfig } from '@platform/service-kit';

export const analyticsEnvSchema = serviceEnvSchema(3004);

export type AnalyticsConfig = ServiceConfig;

/** Validates the environment once; a bad variable stops the process with one line. */
export function loadAnalyticsConfig(env: Env): AnalyticsConfig {
  return toServiceConfig('analytics', loadConfig(analyticsEnvSchema, env));
}
