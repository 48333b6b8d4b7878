import { loadConfig, type Env } from '@platform/config';
import { serviceEnvSchema, toServiceConfig, type ServiceConfig } from '@platform/service-kit';

export const notificationsEnvSchema = serviceEnvSchema(3003);

export type NotificationsConfig = ServiceConfig;

/** Validates the environment once; a bad variable stops the process with one line. */
export function loadNotificationsConfig(env: Env): NotificationsConfig {
  return toServiceConfig('notifications', loadConfig(notificationsEnvSchema, env));
}
