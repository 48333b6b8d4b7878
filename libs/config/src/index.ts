export { ConfigError } from './errors.js';
export { loadConfig, parseConfig, serviceEnv, type Env } from './load-config.js';
export { findWorkspaceRoot, loadEnvFiles } from './env-files.js';
export {
  baseEnvSchema,
  databaseUrlSchema,
  envBoolean,
  envInt,
  envList,
  logLevelSchema,
  messagingEnv,
  natsUrlSchema,
  nodeEnvSchema,
  portSchema,
  urlSchema,
} from './schemas.js';
export {
  HTTP_SERVER_DEFAULTS,
  httpServerEnv,
  shutdownEnv,
  toHttpServerSettings,
  type HttpServerEnv,
  type HttpServerSettings,
} from './http-server.js';
export { databaseEnv, toDatabaseSettings, type DatabaseEnv, type DatabaseSettings } from './database.js';
export { metricsEnv, toMetricsSettings, type MetricsSettings } from './metrics.js';
export { toTracingSettings, tracingEnv, type TracingEnv, type TracingSettings } from './tracing.js';
