import type { EventEnvelope } from '@platform/contracts';
import type { HttpApp } from '@platform/http-kit';
import { createTcpProxy, type TcpProxy } from '@platform/resilience/testing';
import { createTestServiceEnv, type TestServiceEnv } from '@platform/service-kit/testing';
import { buildApp } from '../../src/app.js';
import { defaultMailConfig, type MailConfig } from '../../src/config.js';
import { startSmtpTestServer, type SmtpTestServer } from './smtp-test-server.js';

export interface Harness {
  env: TestServiceEnv;
  smtp: SmtpTestServer;
  app: HttpApp;
  /** With `{ databaseProxy: true }`: the app's Postgres goes through it, so a test can cut it. */
  pgProxy?: TcpProxy;
  /** Closes the app and builds a new one on the same database and namespace (a restart). */
  restart(): Promise<HttpApp>;
  /** Publishes into the test namespace; `msgId` defaults to the event id (JetStream dedupe). */
  publish(event: EventEnvelope, msgId?: string): Promise<void>;
  close(): Promise<void>;
}

/** Fast retries so failure paths finish in a test's time. */
export function testMailConfig(smtp: SmtpTestServer, overrides: Partial<MailConfig> = {}): MailConfig {
  return defaultMailConfig({
    smtpUrl: smtp.url,
    maxAttempts: 3,
    retryBaseMs: 50,
    retryMaxMs: 200,
    sendTimeoutMs: 3_000,
    pollIntervalMs: 50,
    ...overrides,
  });
}

export async function createHarness(mail: Partial<MailConfig> = {}, { databaseProxy = false } = {}): Promise<Harness> {
  const env = await createTestServiceEnv('notifications');
  const smtp = await startSmtpTestServer();
  const pgProxy = databaseProxy ? await createTcpProxy('127.0.0.1', 5432) : undefined;
  const databaseUrl = pgProxy ? pgProxy.url(env.config.databaseUrl) : env.config.databaseUrl;
  const build = () => buildApp({ ...env.config, databaseUrl, mail: testMailConfig(smtp, mail) });
  const harness: Harness = {
    env,
    smtp,
    pgProxy,
    app: await build(),
    async restart() {
      await harness.app.close();
      harness.app = await build();
      return harness.app;
    },
    async publish(event, msgId = event.id) {
      await env.messaging.js.publish(env.messaging.subject(event.type), JSON.stringify(event), { msgID: msgId });
    },
    async close() {
      await harness.app?.close();
      await pgProxy?.close();
      await smtp.stop();
      await env.cleanup();
    },
  };
  return harness;
}
