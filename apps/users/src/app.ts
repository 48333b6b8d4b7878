import { generateKeyPairSync } from 'node:crypto';
import type { Logger } from '@platform/logging';
import { createService, migrationsFolderFor, staleTokenCheck, type ServiceConfig } from '@platform/service-kit';
import { signingKeyFrom, type UsersSettings } from './config.js';
import * as schema from './data/schema.js';
import { usersDeps } from './deps.js';
import { createPasswordHasher } from './domain/password-hasher.js';
import { loginFailureMetrics } from './metrics.js';
import { usersRoutes } from './routes/index.js';
import { seedAdmin } from './use-cases/seed-admin.js';
import { usersRetention } from './workers/retention.js';

export interface BuildUsersOptions {
  logger?: Logger;
}

/**
 * Settings for a config without the users part (the shared boot suite builds every service from a
 * plain `ServiceConfig`): a throw-away signing key, no admin, contract defaults. Never in production,
 * where `loadUsersConfig` always provides them.
 */
function fallbackSettings(config: ServiceConfig): UsersSettings {
  if (config.nodeEnv === 'production') throw new Error('users settings are required in production');
  const { privateKey } = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return {
    signingKey: signingKeyFrom(privateKey),
    accessTokenTtlSec: 1800,
    refreshTokenTtlSec: 604_800,
    admin: null,
    throttle: { maxFailuresPerEmail: 5, maxFailuresPerClient: 50, windowSec: 900 },
    trustProxy: ['127.0.0.1', '::1'],
  };
}

/** The users service as a Fastify app; `main.ts` serves it, tests inject into it. */
export async function buildApp(config: ServiceConfig & { users?: UsersSettings }, options: BuildUsersOptions = {}) {
  const settings = config.users ?? fallbackSettings(config);
  const { signingKey } = settings;
  // Verify with the signing key first, plus any other configured public key (e.g. the previous one during a rotation).
  const verificationKeys = [
    { kid: signingKey.kid, pem: signingKey.publicKeyPem },
    ...config.auth.publicKeys.filter((key) => key.kid !== signingKey.kid && key.pem.trim() !== signingKey.publicKeyPem.trim()),
  ];

  const users = schema.usersTable;
  const { app, deps } = await createService({
    config: { ...config, auth: { ...config.auth, publicKeys: verificationKeys } },
    logger: options.logger,
    schema,
    migrationsFolder: migrationsFolderFor(import.meta.url),
    openapi: { title: 'Users service', version: '1.0.0', description: 'Users, profiles, credentials, refresh tokens and the token signing key.' },
    signing: { kid: signingKey.kid, privateKeyPem: signingKey.privateKeyPem, algorithm: 'EdDSA', expiresInSec: settings.accessTokenTtlSec },
    trustProxy: settings.trustProxy,
    // A deactivated user's tokens stop here at once; a changed role too (the holder refreshes to get
    // the new one). This table is where roles live: its role is current, no `roleSince`.
    isRevoked: staleTokenCheck({ table: users, userId: users.id, isActive: users.isActive, role: users.role }, { unknownUser: 'refuse' }),
    deps: usersDeps(settings, verificationKeys, createPasswordHasher()),
    workers: (deps) => [usersRetention(deps, settings.throttle)],
    routes: [loginFailureMetrics, ...usersRoutes],
  });
  try {
    await seedAdmin(deps);
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}
