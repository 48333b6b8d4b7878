import { loadConfig, type Env } from '@platform/config';
import { serviceEnvSchema, toServiceConfig, type ServiceConfig } from '@platform/service-kit';

export const usersEnvSchema = serviceEnvSchema(3001);

export type UsersConfig = ServiceConfig;

/** Validates the environment once; a bad variable stops the process with one line. */
export function loadUsersConfig(env: Env): UsersConfig {
  return toServiceConfig('users', loadConfig(usersEnvSchema, env));
}
