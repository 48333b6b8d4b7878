import { expectEnvelope } from '@platform/http-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadGatewayConfig, upstreamNames } from '../src/config.js';
import { deadUrl } from './support/fake-services.js';

// Swagger UI is loaded on the first /docs request (src/openapi/docs-ui.ts): what it answers, and
// how, must be what the plugin registered at boot answered.
describe('gateway Swagger UI, loaded on first use', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    const dead = Object.fromEntries(await Promise.all(upstreamNames.map(async (name) => [`${name.toUpperCase()}_URL`, await deadUrl()])));
    app = await buildApp(loadGatewayConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...dead }));
  });
  afterAll(async () => {
    await app.close();
  });

  it('serves the UI page, its assets and its initializer, with the gateway headers and the UI CSP', async () => {
    // Concurrent first requests share one loading of the plugin.
    const [page, again] = await Promise.all([app.inject({ method: 'GET', url: '/docs/' }), app.inject({ method: 'GET', url: '/docs' })]);
    for (const res of [page, again]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('swagger-ui');
      expect(res.headers['x-request-id']).toBeTruthy();
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    const css = await app.inject({ method: 'GET', url: '/docs/static/index.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect(Number(css.headers['content-length'])).toBe(css.rawPayload.length);
    const init = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(init.statusCode).toBe(200);
    expect(init.body).toContain('SwaggerUIBundle');
    const head = await app.inject({ method: 'HEAD', url: '/docs/static/index.css' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers a cached asset 304 and a missing one with the envelope 404', async () => {
    const first = await app.inject({ method: 'GET', url: '/docs/static/index.css' });
    const cached = await app.inject({ method: 'GET', url: '/docs/static/index.css', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(cached.statusCode).toBe(304);
    expectEnvelope(await app.inject({ method: 'GET', url: '/docs/static/nothing-here.js' }), { status: 404, code: 'NOT_FOUND', module: 'gateway' });
    expectEnvelope(await app.inject({ method: 'GET', url: '/docs/nowhere' }), { status: 404, code: 'NOT_FOUND', module: 'gateway' });
  });

  it('gives the UI the merged document at /docs/json and the gateway document in YAML', async () => {
    const json = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(json.json().paths).toHaveProperty(['/health']);
    const yaml = await app.inject({ method: 'GET', url: '/docs/yaml' });
    expect(yaml.statusCode).toBe(200);
    expect(yaml.headers['content-type']).toMatch(/yaml/);
    expect(yaml.body).toMatch(/^openapi: 3\./m);
    // The docs routes themselves stay out of the document.
    expect(Object.keys(json.json().paths).some((path) => path.startsWith('/docs'))).toBe(false);
  });
});
