import rateLimit from '@fastify/rate-limit';
import { captureLogs } from '@platform/logging/testing';
import { describe, expect, it } from 'vitest';
import { createHttpApp, ok } from '../src/index.js';
import { expectEnvelope } from '../src/testing/index.js';

// The gateway rate-limits with @fastify/rate-limit: its 429 must come out enveloped, Retry-After kept.
describe('@fastify/rate-limit through the error handler', () => {
  it('answers 429 RATE_LIMITED with Retry-After', async () => {
    const app = await createHttpApp({ service: 'gateway', logger: captureLogs('gateway').logger });
    await app.register(rateLimit, { max: 1, timeWindow: 60_000 });
    app.get('/x', async (_request, reply) => ok(reply, null));
    expectEnvelope(await app.inject({ method: 'GET', url: '/x' }), { status: 200, code: 'SUCCESS' });
    const res = await app.inject({ method: 'GET', url: '/x' });
    const body = expectEnvelope(res, { status: 429, code: 'RATE_LIMITED', module: 'gateway' });
    expect(body.data).toBeNull();
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    await app.close();
  });
});
