export {
  createService,
  type ConsumerDefinition,
  type CreateServiceOptions,
  type Service,
  type ServiceContext,
  type ServiceDeps,
} from './create-service.js';
export { defineConsumer } from './define-consumer.js';
export { staleTokenCheck, staleTokenCheckAlong, type StaleTokenCheckAlong, type UserStateSource } from './stale-token-check.js';
export { migrateDatabase, migrationsFolderFor } from './migrate-database.js';
export { runService } from './run-service.js';
export {
  privateKeyFileSchema,
  publicKeyFileSchema,
  resolveKeyPath,
  serviceEnvSchema,
  toServiceConfig,
  type ServiceConfig,
  type ServiceEnv,
} from './service-config.js';
export { keyId } from './key-id.js';
export { createPeriodicWorker, type PeriodicWorker, type PeriodicWorkerOptions, type ServiceWorker } from './workers.js';
export { retentionWorker, type RetentionRule } from './retention.js';
