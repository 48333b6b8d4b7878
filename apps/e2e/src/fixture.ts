import type { streams } from '@platform/contracts';
import { dropDatabase } from '@platform/db-kit';
import { createLogger } from '@platform/logging';
import { connectNats, namespacedStream, namespacedSubject, type NatsHandle } from '@platform/messaging';
import { countSubjectMessages, deleteNamespaceStreams, readStreamMessages } from '@platform/messaging/testing';
import { afterAll, beforeAll } from 'vitest';
import { gatewayClient, type GatewayClient } from './gateway-client.js';
import { services, startPlatform, type Platform, type PlatformInfrastructure } from './platform.js';
import { quiescence, type Quiescence } from './quiescence.js';

/** The seeded admin every e2e file signs in as (passed explicitly, not read from .env.example). */
export const ADMIN = { email: 'admin@example.com', password: 'Admin-Passw0rd!' };

type StreamName = (typeof streams)[keyof typeof streams]['name'];

export interface PlatformFixture {
  platform: Platform;
  client: GatewayClient;
  nats: NatsHandle;
  /** How many messages of one event type the platform's stream holds. */
  countEvents(stream: StreamName, type: string): Promise<number>;
  readEvents(stream: StreamName, type: string): ReturnType<typeof readStreamMessages>;
  /** Waits until nothing is left to happen (see quiescence.ts), then direct database checks. */
  quiet: Quiescence;
}

/**
 * Starts the whole platform once for a test file (beforeAll) and removes every trace of it
 * afterwards (processes, databases, streams). `env` may be a function for values that only
 * exist once something else has started (an SMTP server's port).
 */
export function usePlatform(
  env: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv) = {},
  infra: PlatformInfrastructure | (() => PlatformInfrastructure) = {},
  // Generous: ten processes of another file may be starting on the same two cores.
  { readyTimeoutMs = 120_000 }: { readyTimeoutMs?: number } = {},
): PlatformFixture {
  const fixture = {} as PlatformFixture;
  beforeAll(async () => {
    const extra = typeof env === 'function' ? env() : env;
    const platform = await startPlatform({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, ...extra }, readyTimeoutMs, typeof infra === 'function' ? infra() : infra);
    const nats = await connectNats({ servers: 'nats://127.0.0.1:4222', name: `e2e-${platform.namespace}`, logger: createLogger({ service: 'e2e', level: 'silent' }) });
    const stream = (name: StreamName) => namespacedStream(name, platform.namespace);
    const subject = (type: string) => namespacedSubject(type, platform.namespace);
    Object.assign(fixture, {
      platform,
      nats,
      client: gatewayClient(platform.gatewayUrl),
      countEvents: (name: StreamName, type: string) => countSubjectMessages(nats.jsm, stream(name), subject(type)),
      readEvents: (name: StreamName, type: string) => readStreamMessages(nats.jsm, stream(name), subject(type)),
      quiet: quiescence(platform, nats.jsm),
    });
  }, readyTimeoutMs + 60_000);

  afterAll(async () => {
    const { platform, nats } = fixture;
    if (!platform) return;
    await platform.stop();
    await fixture.quiet?.close();
    await Promise.all(services.map((service) => dropDatabase(platform.databases[service]).catch(() => undefined)));
    if (nats) {
      await deleteNamespaceStreams(nats.jsm, platform.namespace);
      await nats.close();
    }
  }, 30_000);
  return fixture;
}
