import { createTestDatabase, type TestDatabase } from '@platform/db-kit/testing';
import { generateTestKeyPair, signTestToken, TEST_AUDIENCE, TEST_ISSUER, type TestClaims, type TestKeyPair } from '@platform/http-kit/testing';
import { createTestMessaging, defaultTestNatsUrl, type TestMessaging } from '@platform/messaging/testing';
import type { ServiceConfig } from '../service-config.js';

export interface TestServiceEnv {
  config: ServiceConfig;
  keys: TestKeyPair;
  database: TestDatabase;
  messaging: TestMessaging;
  /** A valid access token for these keys, issuer and audience. */
  token(claims: TestClaims): Promise<string>;
  cleanup(): Promise<void>;
}

/**
 * Everything one test file needs to build a service exactly as `main.ts` does: its own fresh
 * database, its own event namespace on the real NATS, and its own signing keys.
 */
export async function createTestServiceEnv(service: string, overrides: Partial<ServiceConfig> = {}): Promise<TestServiceEnv> {
  const [database, messaging] = await Promise.all([
    createTestDatabase({ prefix: service }),
    createTestMessaging({ prefix: service.slice(0, 3) }),
  ]);
  const keys = generateTestKeyPair();
  const config: ServiceConfig = {
    service,
    nodeEnv: 'test',
    logLevel: 'silent',
    host: '127.0.0.1',
    port: 0,
    databaseUrl: database.url,
    autoCreateDatabase: false,
    natsUrl: defaultTestNatsUrl,
    eventNamespace: messaging.namespace,
    bodyLimit: 1_048_576,
    shutdownDrainDelayMs: 0,
    retention: { intervalMs: 3_600_000, outboxMs: 7 * 86_400_000, inboxMs: 7 * 86_400_000 },
    auth: { publicKeys: [{ kid: keys.kid, pem: keys.publicKeyPem }], issuer: TEST_ISSUER, audience: TEST_AUDIENCE },
    ...overrides,
  };
  return {
    config,
    keys,
    database,
    messaging,
    token: async (claims) => signTestToken(keys, claims),
    async cleanup() {
      await Promise.all([database.drop(), messaging.cleanup()]);
    },
  };
}
