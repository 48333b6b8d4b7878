import { captureLogs } from '@platform/logging/testing';
import { SpanKind, traceHeaders, traceOutgoing } from '@platform/tracing';
import { parentIdOf, startTestTracing, type TestTracing } from '@platform/tracing/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../src/index.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpanId = '00f067aa0ba902b7';

async function appWithRoutes() {
  const logs = captureLogs('users');
  const app = await createHttpApp({ service: 'users', logger: logs.logger });
  app.get('/things/:id', async (request) => {
    request.log.info('looking it up');
    // What an outbox write stores: the trace of the request, from the active context.
    return { id: (request.params as { id: string }).id, stored: traceHeaders() };
  });
  app.get('/forward', async (request) => {
    const headers: Record<string, unknown> = { traceparent: 'forged-by-the-client' };
    traceOutgoing(request, headers, 'proxy users');
    return { headers };
  });
  return { app, logs };
}

describe('HTTP server spans', () => {
  let tracing: TestTracing;
  beforeEach(async () => {
    tracing = await startTestTracing('users');
  });
  afterEach(async () => tracing.shutdown());

  it('names the span after the route, continues the caller traceparent and puts traceId in the request logs', async () => {
    const { app, logs } = await appWithRoutes();
    const response = await app.inject({ url: '/things/42?x=1', headers: { traceparent: `00-${traceId}-${callerSpanId}-01`, 'x-request-id': 'req-1' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBe('req-1');
    const span = await tracing.waitForSpan((s) => s.kind === SpanKind.SERVER);
    expect(span.name).toBe('GET /things/:id');
    expect(span.spanContext().traceId).toBe(traceId);
    expect(parentIdOf(span)).toBe(callerSpanId);
    expect(span.attributes['http.response.status_code']).toBe(200);
    // The path without its query string (which may carry a secret).
    expect(span.attributes['url.path']).toBe('/things/42');
    // Inside the handler the server span is active: an outbox row would store it as the parent.
    expect(response.json().stored.traceparent).toBe(`00-${traceId}-${span.spanContext().spanId}-01`);
    const line = logs.lines.find((l) => l.msg === 'looking it up');
    expect(line).toMatchObject({ traceId, requestId: 'req-1' });
    await app.close();
  });

  it('starts a client span for an upstream hop and replaces the traceparent the client sent', async () => {
    const { app } = await appWithRoutes();
    const response = await app.inject({ url: '/forward' });
    const client = await tracing.waitForSpan((s) => s.name === 'proxy users');
    const server = await tracing.waitForSpan((s) => s.kind === SpanKind.SERVER);
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(parentIdOf(client)).toBe(server.spanContext().spanId);
    expect(response.json().headers.traceparent).toBe(`00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`);
    await app.close();
  });

  it('marks a 500 as an error and names unmatched requests without their URL', async () => {
    const { app } = await appWithRoutes();
    app.get('/boom', async () => {
      throw new Error('kaput');
    });
    expect((await app.inject({ url: '/boom' })).statusCode).toBe(500);
    expect((await app.inject({ url: '/no/such/thing' })).statusCode).toBe(404);
    const boom = await tracing.waitForSpan((s) => s.name === 'GET /boom');
    expect(boom.status.code).toBe(2);
    const unmatched = await tracing.waitForSpan((s) => s.attributes['http.response.status_code'] === 404);
    expect(unmatched.name).not.toContain('/no/such/thing');
    await app.close();
  });
});

describe('with tracing off', () => {
  it('adds no span, no traceId and stores no trace context', async () => {
    const { app, logs } = await appWithRoutes();
    const response = await app.inject({ url: '/things/1', headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } });
    expect(response.json().stored).toEqual({});
    expect(logs.text()).not.toContain(traceId);
    await app.close();
  });
});
