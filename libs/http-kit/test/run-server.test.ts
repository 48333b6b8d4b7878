import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/server-main.ts', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function start(shutdownMs: number, { drainDelayMs = 0, preCloseMs = 0 } = {}) {
  const port = await freePort();
  const args = [fixture, port, shutdownMs, drainDelayMs, preCloseMs].map(String);
  const child = spawn(process.execPath, ['--conditions=@platform/source', '--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 15_000;
  while (!output.includes('"listening"')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`fixture did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, child, exited, output: () => output };
}

interface Answer {
  status: number;
  headers: Headers;
  body: { code?: string; module?: string; message?: string; requestId?: string; data?: unknown };
}

async function get(port: number, path: string): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

/** Asks `path` until it answers `status` (bounded): the moment the server enters a shutdown phase. */
async function firstAnswerWith(port: number, path: string, status: number, timeoutMs = 3_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await get(port, path);
    if (answer.status === status) return answer;
    if (Date.now() > deadline) throw new Error(`${path} still answers ${answer.status}`);
  }
}

describe('runServer graceful close', () => {
  it('on SIGTERM finishes in-flight requests, runs onShutdown, exits 0', async () => {
    const server = await start(0);
    let begun = false;
    const inFlight = fetch(`http://127.0.0.1:${server.port}/slow`).then(async (res) => ({ status: res.status, body: (await res.json()) as { data: unknown } }));
    // The request is in flight once the server logged it.
    const deadline = Date.now() + 5_000;
    while (!begun && Date.now() < deadline) {
      begun = server.output().includes('"url":"/slow"');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    server.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ finished: true });
    const code = await server.exited;
    expect(code, server.output()).toBe(0);
    expect(server.output()).toContain('onShutdown ran');
    await expect(fetch(`http://127.0.0.1:${server.port}/health`)).rejects.toThrow();
  });

  it('on SIGTERM turns /ready 503 at once and keeps serving for the drain delay, then exits 0', async () => {
    const server = await start(0, { drainDelayMs: 1_500 });
    expect((await get(server.port, '/ready')).status).toBe(200);
    server.child.kill('SIGTERM');
    const ready = await firstAnswerWith(server.port, '/ready', 503, 1_000);
    expect(ready.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', module: 'fixture', message: 'Not ready: shutting down', requestId: expect.any(String) });
    // Still serving: the load balancer has not noticed yet.
    expect(await get(server.port, '/slow')).toMatchObject({ status: 200, body: { data: { finished: true } } });
    expect(await server.exited, server.output()).toBe(0);
    expect(server.output()).toContain('onShutdown ran');
  });

  it('answers a request that arrives while closing with the envelope 503, never a bare body', async () => {
    const server = await start(0, { preCloseMs: 1_500 });
    server.child.kill('SIGTERM');
    const refused = await firstAnswerWith(server.port, '/health', 503);
    expect(refused.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', module: 'fixture', data: null, requestId: expect.any(String) });
    expect(refused.headers.get('x-request-id')).toBe(refused.body.requestId);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await server.exited, server.output()).toBe(0);
  });

  it('exits 1 when shutdown exceeds the grace period', async () => {
    const server = await start(5_000);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    expect(server.output()).not.toContain('onShutdown ran');
  });
});
