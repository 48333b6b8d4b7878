import { asyncApiDocument, allEventContracts } from '@platform/contracts';
import { expectEnvelope } from '@platform/http-kit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadGatewayConfig } from '../src/config.js';

describe('GET /asyncapi.json', () => {
  const apps: Awaited<ReturnType<typeof buildApp>>[] = [];
  const gateway = async (env: Record<string, string>) => {
    const app = await buildApp(loadGatewayConfig({ LOG_LEVEL: 'silent', ...env }));
    apps.push(app);
    return app;
  };
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('serves the AsyncAPI 3 document of the contracts, as the standard defines it (no envelope)', async () => {
    const app = await gateway({ NODE_ENV: 'test' });
    const res = await app.inject({ method: 'GET', url: '/asyncapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-request-id']).toBeTruthy();
    const document = res.json();
    expect(document).not.toHaveProperty('code');
    expect(document.asyncapi).toMatch(/^3\./);
    expect(document).toEqual(JSON.parse(JSON.stringify(asyncApiDocument())));
    expect(Object.keys(document.channels)).toHaveLength(allEventContracts.length);
  });

  it('follows the docs switch: off in production unless DOCS_ENABLED=true', async () => {
    const off = await gateway({ NODE_ENV: 'production' });
    expectEnvelope(await off.inject({ method: 'GET', url: '/asyncapi.json' }), { status: 404, code: 'NOT_FOUND', module: 'gateway' });
    const on = await gateway({ NODE_ENV: 'production', DOCS_ENABLED: 'true' });
    expect((await on.inject({ method: 'GET', url: '/asyncapi.json' })).statusCode).toBe(200);
  });
});
