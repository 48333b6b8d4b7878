import { captureLogs, type CapturedLogs } from '@platform/logging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpApp, envelope, ok, type HttpApp } from '../src/index.js';
import { expectEnvelope, openRawConnection, parseRawResponse, rawExchange, type RawConnection } from '../src/testing/index.js';

const REQUEST_TIMEOUT_MS = 600;

/** A real listening app: these errors happen in Node's HTTP parser and timers, which `inject` bypasses. */
async function listeningApp(server: Parameters<typeof createHttpApp>[0]['server']) {
  const logs = captureLogs('edge', 'debug');
  const app = await createHttpApp({ service: 'edge', logger: logs.logger, server });
  app.post('/echo', { schema: { body: z.strictObject({ text: z.string() }), response: { 200: envelope(z.object({ text: z.string() })) } } }, async (request, reply) =>
    ok(reply, { text: request.body.text }),
  );
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url, logs };
}

const head = (extra = '') => `POST /echo HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\n${extra}`;

/** Writes one byte at a time, every `everyMs`, until the server hangs up or `withinMs` passes. */
async function trickle(connection: RawConnection, everyMs: number, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!connection.isClosed() && Date.now() - started < withinMs) {
    connection.write(' ');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return Date.now() - started;
}

// One app with short timeouts for the client errors and the timeouts.
let ctx: { app: HttpApp; url: string; logs: CapturedLogs };
beforeAll(async () => {
  ctx = await listeningApp({ requestTimeoutMs: REQUEST_TIMEOUT_MS, headersTimeoutMs: REQUEST_TIMEOUT_MS });
});
afterAll(async () => {
  await ctx?.app.close();
});

describe('protocol-level client errors answer the envelope', () => {

  it('conflicting Content-Length and Transfer-Encoding: 400 in the envelope, connection closed', async () => {
    const res = await rawExchange(ctx.url, `${head('Content-Length: 4\r\nTransfer-Encoding: chunked\r\n')}\r\n0\r\n\r\n`);
    const body = expectEnvelope(res, { status: 400, code: 'VALIDATION_ERROR', module: 'edge' });
    expect(body.data).toBeNull();
    expect(res.headers.connection).toBe('close');
  });

  it('an oversized header block: 431 in the envelope', async () => {
    const res = await rawExchange(ctx.url, `GET /health HTTP/1.1\r\nHost: edge\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    expectEnvelope(res, { status: 431, code: 'VALIDATION_ERROR', module: 'edge' });
  });

  it('a request line that is not HTTP: 400 in the envelope', async () => {
    expectEnvelope(await rawExchange(ctx.url, 'HELLO THERE\r\n\r\n'), { status: 400, code: 'VALIDATION_ERROR', module: 'edge' });
  });

  it('logs one line per client error, never at error level', async () => {
    const before = ctx.logs.lines.length;
    const res = await rawExchange(ctx.url, 'GET / HTTP/1.1\r\nHost: edge\r\nBad Header\r\n\r\n');
    const body = expectEnvelope(res, { status: 400, code: 'VALIDATION_ERROR' });
    const lines = ctx.logs.lines.slice(before);
    expect(lines.find((line) => line.requestId === body.requestId)).toMatchObject({ level: 'info', status: 400 });
    expect(lines.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
  });

  it('keeps answering honest requests', async () => {
    const res = await fetch(`${ctx.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hi' }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown }).data).toEqual({ text: 'hi' });
  });
});

describe('request and headers timeouts', () => {

  // Node checks the deadlines on a timer; the bound leaves it room but is far below "forever".
  const bound = REQUEST_TIMEOUT_MS * 8;

  it('cuts off a body trickled a byte at a time with a 408 envelope', async () => {
    const connection = await openRawConnection(ctx.url);
    connection.write(`${head('Content-Length: 1000\r\n')}\r\n`);
    const elapsed = await trickle(connection, 100, bound);
    expect(connection.isClosed()).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expectEnvelope(parseRawResponse(connection.received()), { status: 408, code: 'GATEWAY_TIMEOUT', module: 'edge' });
    expect(ctx.logs.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('cuts off a client that stalls after one byte of its headers', async () => {
    const connection = await openRawConnection(ctx.url);
    connection.write('G');
    await connection.closed(bound);
    expectEnvelope(parseRawResponse(connection.received()), { status: 408, code: 'GATEWAY_TIMEOUT', module: 'edge' });
  });

  it('cuts off a client that stops after its headers, before its body', async () => {
    const connection = await openRawConnection(ctx.url);
    connection.write(`${head('Content-Length: 20\r\n')}\r\n{"te`);
    await connection.closed(bound);
    expectEnvelope(parseRawResponse(connection.received()), { status: 408, code: 'GATEWAY_TIMEOUT', module: 'edge' });
  });
});

describe('connections per client', () => {
  let capped: { app: HttpApp; url: string };
  beforeAll(async () => {
    capped = await listeningApp({ maxConnectionsPerClient: 2 });
  });
  afterAll(async () => {
    await capped?.app.close();
  });

  const get = 'GET /health HTTP/1.1\r\nHost: edge\r\n\r\n';
  const answered = async (connection: RawConnection) => {
    const deadline = Date.now() + 5_000;
    while (!connection.received().includes('\r\n\r\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return parseRawResponse(connection.received());
  };

  it('answers a connection over the cap with a 429 envelope and closes it; others keep working', async () => {
    const first = await openRawConnection(capped.url);
    const second = await openRawConnection(capped.url);
    first.write(get);
    second.write(get);
    expect((await answered(first)).statusCode).toBe(200);
    expect((await answered(second)).statusCode).toBe(200);

    const third = await openRawConnection(capped.url);
    third.write(get);
    await third.closed(5_000);
    const refused = parseRawResponse(third.received());
    expectEnvelope(refused, { status: 429, code: 'RATE_LIMITED', module: 'edge' });
    expect(refused.headers['retry-after']).toBe('1');

    // Once one of the two goes away, a new connection is welcome again.
    first.destroy();
    await first.closed(5_000);
    const deadline = Date.now() + 5_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      const next = await openRawConnection(capped.url);
      next.write(get);
      status = (await answered(next)).statusCode;
      next.destroy();
    }
    expect(status).toBe(200);
    second.destroy();
  });
});
