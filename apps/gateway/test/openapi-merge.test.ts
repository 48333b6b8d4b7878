import { describe, expect, it } from 'vitest';
import { mergeOpenApi, type OpenApiDocument } from '../src/openapi/merge.js';

const doc = (paths: Record<string, unknown>, schemas: Record<string, unknown> = {}): OpenApiDocument =>
  ({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths, components: { schemas } }) as OpenApiDocument;

describe('mergeOpenApi', () => {
  it('keeps the gateway paths, adds each service public paths tagged with the service, drops their health routes', () => {
    const merged = mergeOpenApi(doc({ '/health': { get: {} } }), [
      { name: 'users', document: doc({ '/api/v1/users/me': { get: { summary: 'me' } }, '/health': { get: { summary: 'users health' } }, '/ready': { get: {} } }) },
      { name: 'billing', document: doc({ '/api/v1/billing/invoices': { get: { tags: ['invoices'] }, parameters: [] } }) },
    ]);
    expect(Object.keys(merged.paths ?? {})).toEqual(['/health', '/api/v1/users/me', '/api/v1/billing/invoices']);
    expect(merged.paths?.['/health']).toEqual({ get: {} });
    expect(merged.paths?.['/api/v1/users/me']?.get).toEqual({ summary: 'me', tags: ['users'] });
    expect(merged.paths?.['/api/v1/billing/invoices']?.get).toEqual({ tags: ['billing', 'invoices'] });
    expect(merged.paths?.['/api/v1/billing/invoices']?.parameters).toEqual([]);
    expect(merged.tags?.map((tag) => tag.name)).toEqual(['users', 'billing']);
  });

  it('renames a component two services define differently, references included', () => {
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const merged = mergeOpenApi(doc({}, { Money: { type: 'integer' } }), [
      { name: 'billing', document: doc({ '/api/v1/billing/x': { get: { responses: { 200: { content: { 'application/json': { schema: ref('Money') } } } } } } }, { Money: { type: 'string' }, Same: { type: 'boolean' } }) },
      { name: 'analytics', document: doc({}, { Money: { type: 'integer' }, Same: { type: 'boolean' } }) },
    ]);
    expect(merged.components?.schemas).toEqual({ Money: { type: 'integer' }, billing_Money: { type: 'string' }, Same: { type: 'boolean' } });
    expect(JSON.stringify(merged.paths?.['/api/v1/billing/x'])).toContain('#/components/schemas/billing_Money');
  });
});
