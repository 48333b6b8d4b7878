import { checkedInDocument, GENERATE_COMMAND, publicRoutesOf } from '@platform/client/testing';
import { describe, expect, it } from 'vitest';
import { generatedPublicRoutes } from '../src/proxy/public-routes.generated.js';
import { isPublicRoute, publicRouteMatcher } from '../src/proxy/routes-table.js';

describe('public routes', () => {
  it('are the operations without security in the services\' merged OpenAPI document', () => {
    const document = checkedInDocument();
    if (!document) throw new Error('libs/client/openapi.json is missing');
    const derived = publicRoutesOf(document);
    expect(
      [...generatedPublicRoutes],
      `apps/gateway/src/proxy/public-routes.generated.ts is out of date with libs/client/openapi.json: run \`${GENERATE_COMMAND}\` and commit the result`,
    ).toEqual(derived);
  });

  it('are exactly the contract\'s anonymous routes, and nothing guarded is among them', () => {
    expect(isPublicRoute('POST', '/api/v1/auth/login')).toBe(true);
    expect(isPublicRoute('HEAD', '/api/v1/auth/jwks.json')).toBe(true);
    expect(isPublicRoute('GET', '/api/v1/auth/login')).toBe(false);
    expect(isPublicRoute('GET', '/api/v1/users/me')).toBe(false);
    expect(isPublicRoute('POST', '/api/v1/auth/login/')).toBe(false);
  });

  it('derives from security, GET brings HEAD, and a template matches one segment', () => {
    const derived = publicRoutesOf({
      openapi: '3.0.3',
      paths: {
        '/health': { get: {} },
        '/api/v1/things/{id}': { get: {}, delete: { security: [{ bearerAuth: [] }] } },
        '/api/v1/things': { post: { security: [] } },
      },
    });
    expect(derived).toEqual(['GET /api/v1/things/{id}', 'HEAD /api/v1/things/{id}', 'POST /api/v1/things']);
    const matches = publicRouteMatcher(derived);
    expect(matches('GET', '/api/v1/things/42')).toBe(true);
    expect(matches('GET', '/api/v1/things/42/more')).toBe(false);
    expect(matches('GET', '/api/v1/things/')).toBe(false);
    expect(matches('DELETE', '/api/v1/things/42')).toBe(false);
  });
});
