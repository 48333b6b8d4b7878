import { waitFor } from '@platform/messaging/testing';
import { describe, expect, it } from 'vitest';
import { usePlatform } from '../src/fixture.js';
import { apps, services } from '../src/platform.js';

describe('the whole platform', () => {
  const e2e = usePlatform();

  it('is ready through the gateway, every service with its database and NATS', async () => {
    const response = await fetch(`${e2e.platform.gatewayUrl}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      code: 'SUCCESS',
      module: 'gateway',
      data: { status: 'ready', checks: { users: 'up', billing: 'up', notifications: 'up', analytics: 'up' } },
    });
    for (const service of services) {
      const own = await fetch(`${e2e.platform.apps[service].url}/ready`).then((r) => r.json());
      expect(own).toMatchObject({ module: service, data: { checks: { postgres: 'up', nats: 'up' } } });
    }
  });

  it('logs JSON lines that carry the service name and the request id', async () => {
    const requestId = `e2e-${Date.now()}`;
    await fetch(`${e2e.platform.apps.users.url}/health/../nowhere`, { headers: { 'x-request-id': requestId } });
    // The child writes its line after answering: wait for it (bounded) instead of reading at once.
    const line = await waitFor(() => e2e.platform.apps.users.output.find((l) => l.includes(requestId)), { timeoutMs: 5_000 });
    expect(JSON.parse(line)).toMatchObject({ service: 'users', requestId });
  });

  it('stops every process gracefully on SIGTERM, exit code 0', async () => {
    const codes = await e2e.platform.stop();
    expect(codes).toEqual(Object.fromEntries(apps.map((app) => [app, 0])));
  }, 20_000);
});
