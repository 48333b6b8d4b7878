import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expectEnvelope } from '@platform/http-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadGatewayConfig, upstreamNames, upstreamUrlVariable, type UpstreamName } from '../src/config.js';

/** Stand-in services whose /ready answer each test controls. */
async function fakeService(): Promise<{ server: Server; url: string; ready: { value: boolean } }> {
  const ready = { value: true };
  const server = createServer((request, response) => {
    response.statusCode = request.url === '/ready' && !ready.value ? 503 : 200;
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ready };
}

describe('gateway boot', () => {
  const fakes = {} as Record<UpstreamName, Awaited<ReturnType<typeof fakeService>>>;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    for (const name of upstreamNames) fakes[name] = await fakeService();
    const config = loadGatewayConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ...Object.fromEntries(upstreamNames.map((name) => [upstreamUrlVariable(name), fakes[name].url])),
    });
    app = await buildApp(config);
  });

  afterAll(async () => {
    await app?.close();
    for (const fake of Object.values(fakes)) fake.server.close();
  });

  it('answers /health', async () => {
    const body = expectEnvelope(await app.inject({ method: 'GET', url: '/health' }), { status: 200, code: 'SUCCESS', module: 'gateway' });
    expect(body.data).toEqual({ status: 'ok' });
  });

  it('is ready when every service is ready', async () => {
    const body = expectEnvelope(await app.inject({ method: 'GET', url: '/ready' }), { status: 200, code: 'SUCCESS' });
    expect(body.data).toEqual({ status: 'ready', checks: { users: 'up', billing: 'up', notifications: 'up', analytics: 'up' } });
  });

  it('answers 503 with each service state when one is not ready or not there', async () => {
    fakes.billing.ready.value = false;
    fakes.analytics.server.close();
    const body = expectEnvelope(await app.inject({ method: 'GET', url: '/ready' }), { status: 503, code: 'SERVICE_UNAVAILABLE', module: 'gateway' });
    expect(body.data).toEqual({ status: 'unavailable', checks: { users: 'up', billing: 'down', notifications: 'up', analytics: 'down' } });
    fakes.billing.ready.value = true;
  });

  it('answers unknown routes with a 404 envelope', async () => {
    expectEnvelope(await app.inject({ method: 'GET', url: '/api/v1/nowhere' }), { status: 404, code: 'NOT_FOUND', module: 'gateway' });
  });

  it('stops with one line naming a malformed variable', () => {
    const result = spawnSync(process.execPath, ['--conditions=@platform/source', '--import', 'tsx', fileURLToPath(new URL('../src/main.ts', import.meta.url))], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', USERS_URL: 'ftp://users', UPSTREAM_TIMEOUT_MS: 'soon' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^Invalid configuration: .*USERS_URL must be a http or https URL/);
    expect(result.stderr).toMatch(/UPSTREAM_TIMEOUT_MS/);
  });
});
