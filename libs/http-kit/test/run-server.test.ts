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

async function start(shutdownMs: number) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--conditions=@platform/source', '--import', 'tsx', fixture, String(port), String(shutdownMs)], {
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

describe('runServer graceful close', () => {
  it('on SIGTERM finishes in-flight requests, runs onShutdown, exits 0', async () => {
    const server = await start(0);
    const inFlight = fetch(`http://127.0.0.1:${server.port}/slow`).then(async (res) => ({ status: res.status, body: (await res.json()) as { data: unknown } }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ finished: true });
    const code = await server.exited;
    expect(code, server.output()).toBe(0);
    expect(server.output()).toContain('onShutdown ran');
    await expect(fetch(`http://127.0.0.1:${server.port}/health`)).rejects.toThrow();
  });

  it('exits 1 when shutdown exceeds the grace period', async () => {
    const server = await start(5_000);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    expect(server.output()).not.toContain('onShutdown ran');
  });
});
