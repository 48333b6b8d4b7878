import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor } from '@platform/service-kit';
import type { UsersConfig } from './config.js';
import * as schema from './data/schema.js';

export interface BuildUsersOptions {
  logger?: Logger;
}

/** The users service as a Fastify app; `main.ts` serves it, tests inject into it. */
export async function buildApp(config: UsersConfig, options: BuildUsersOptions = {}) {
  const { app } = await createService({
    config,
    logger: options.logger,
    schema,
    migrationsFolder: migrationsFolderFor(import.meta.url),
    openapi: { title: 'Users service', version: '1.0.0', description: 'Users, profiles, credentials, refresh tokens and the token signing key.' },
  });
  return app;
}
