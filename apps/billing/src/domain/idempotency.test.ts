import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_KEY_PATTERN, canonicalJson, requestHash } from './idempotency.js';

describe('idempotency hashing', () => {
  it('ignores key order at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(requestHash('post', '/p', { amountMinor: 5, method: 'card' })).toBe(requestHash('POST', '/p', { method: 'card', amountMinor: 5 }));
  });

  it('changes with the method, the path or any value', () => {
    const base = requestHash('POST', '/api/v1/billing/invoices/a/payments', { amountMinor: 5, method: 'card' });
    expect(requestHash('PUT', '/api/v1/billing/invoices/a/payments', { amountMinor: 5, method: 'card' })).not.toBe(base);
    expect(requestHash('POST', '/api/v1/billing/invoices/b/payments', { amountMinor: 5, method: 'card' })).not.toBe(base);
    expect(requestHash('POST', '/api/v1/billing/invoices/a/payments', { amountMinor: 6, method: 'card' })).not.toBe(base);
    expect(requestHash('POST', '/api/v1/billing/invoices/a/payments', { amountMinor: '5', method: 'card' })).not.toBe(base);
  });

  it('accepts sane keys only', () => {
    expect(IDEMPOTENCY_KEY_PATTERN.test('3f1c0a8e-1b2c-4d5e-8f90-123456789abc')).toBe(true);
    expect(IDEMPOTENCY_KEY_PATTERN.test('')).toBe(false);
    expect(IDEMPOTENCY_KEY_PATTERN.test('has space')).toBe(false);
    expect(IDEMPOTENCY_KEY_PATTERN.test('x'.repeat(256))).toBe(false);
  });
});
