import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor } from '@platform/service-kit';
import type { NotificationsConfig } from './config.js';
import * as schema from './data/schema.js';

export interface BuildNotificationsOptions {
  logger?: Logger;
}

/** The notifications service as a Fastify app; `main.ts` serves it, tests inject into it. */
export async function buildApp(config: NotificationsConfig, options: BuildNotificationsOptions = {}) {
  const { app } = await createService({
    config,
    logger: options.logger,
    schema,
    migrationsFolder: migrationsFolderFor(import.meta.url),
    openapi: { title: 'Notifications service', version: '1.0.0', description: 'In-app notifications, preferences and e-mail deliveries.' },
  });
  return app;
}
