import { dropDatabase } from '@platform/db-kit';
import { connectNats } from '@platform/messaging';
import { deleteNamespaceStreams } from '@platform/messaging/testing';
import { createLogger } from '@platform/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apps, services, startPlatform, type Platform } from '../src/platform.js';

describe('the whole platform', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform();
  }, 90_000);

  afterAll(async () => {
    if (!platform) return;
    await Promise.all(Object.values(platform.apps).map((app) => (app.child.exitCode === null ? app.child.kill('SIGKILL') : true)));
    await Promise.all(services.map((service) => dropDatabase(platform.databases[service]).catch(() => undefined)));
    const nats = await connectNats({ servers: 'nats://127.0.0.1:4222', name: 'e2e-cleanup', logger: createLogger({ service: 'e2e', level: 'silent' }) });
    await deleteNamespaceStreams(nats.jsm, platform.namespace);
    await nats.close();
  });

  it('is ready through the gateway, every service with its database and NATS', async () => {
    const response = await fetch(`${platform.gatewayUrl}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      code: 'SUCCESS',
      module: 'gateway',
      data: { status: 'ready', checks: { users: 'up', billing: 'up', notifications: 'up', analytics: 'up' } },
    });
    for (const service of services) {
      const own = await fetch(`${platform.apps[service].url}/ready`).then((r) => r.json());
      expect(own).toMatchObject({ module: service, data: { checks: { postgres: 'up', nats: 'up' } } });
    }
  });

  it('logs JSON lines that carry the service name and the request id', async () => {
    const requestId = `e2e-${Date.now()}`;
    await fetch(`${platform.apps.users.url}/health/../nowhere`, { headers: { 'x-request-id': requestId } });
    const line = platform.apps.users.output.find((l) => l.includes(requestId));
    expect(line && JSON.parse(line)).toMatchObject({ service: 'users', requestId });
  });

  it('stops every process gracefully on SIGTERM, exit code 0', async () => {
    const codes = await platform.stop();
    expect(codes).toEqual(Object.fromEntries(apps.map((app) => [app, 0])));
  }, 20_000);
});
