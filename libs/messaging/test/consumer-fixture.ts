import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@platform/db-kit/testing';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createTestMessaging, type TestMessaging } from '../src/testing/index.js';

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export interface ConsumerFixture {
  /** One database for the file (widgets, outbox, inbox). */
  tdb: TestDatabase;
  /** A fresh namespace per test: new streams, so one test's consumers never see another's messages. */
  m: TestMessaging;
  /** Consumers a test started; stopped after it. */
  running: Array<{ stop(): Promise<void> }>;
}

/** The setup every consumer test file needs, registered as vitest hooks. */
export function useConsumerFixture(prefix: string): ConsumerFixture {
  const fx = { running: [] } as unknown as ConsumerFixture;
  beforeAll(async () => {
    fx.tdb = await createTestDatabase({ prefix, migrationsFolder });
  });
  beforeEach(async () => {
    fx.m = await createTestMessaging();
    await fx.m.ensureStreams();
  });
  afterEach(async () => {
    await Promise.all(fx.running.splice(0).map((c) => c.stop()));
    await fx.m?.cleanup();
  });
  afterAll(async () => {
    await fx.tdb?.drop();
  });
  return fx;
}

/** The messaging half of a consumer's options, from the fixture's namespace. */
export function messagingOptions(fx: ConsumerFixture) {
  return { js: fx.m.js, jsm: fx.m.jsm, logger: fx.m.logger, namespace: fx.m.namespace };
}
