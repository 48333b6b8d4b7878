import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from '../src/http-get.js';

describe('httpGet (the gateway calling its services)', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/silent') return; // never answers: the timeout must end it
      if (request.url === '/big') return void response.end('x'.repeat(2048));
      response.statusCode = request.url === '/down' ? 503 : 200;
      response.end(JSON.stringify({ accept: request.headers.accept ?? null }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('answers the status and the whole body, sending the accept header', async () => {
    const answer = await httpGet(`${base}/ok`, { timeoutMs: 1_000, accept: 'application/json' });
    expect(answer).toEqual({ status: 200, ok: true, body: JSON.stringify({ accept: 'application/json' }) });
    expect(await httpGet(new URL('/down', base), { timeoutMs: 1_000 })).toMatchObject({ status: 503, ok: false });
  });

  it('fails on a timeout, an oversized body, a refused connection and an unknown protocol', async () => {
    await expect(httpGet(`${base}/silent`, { timeoutMs: 100 })).rejects.toThrow('no answer within 100 ms');
    await expect(httpGet(`${base}/big`, { timeoutMs: 1_000, maxBytes: 1024 })).rejects.toThrow('answer over 1024 bytes');
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));
    await expect(httpGet(`http://127.0.0.1:${port}/`, { timeoutMs: 1_000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(httpGet('ftp://127.0.0.1/', { timeoutMs: 1_000 })).rejects.toThrow('unsupported protocol');
  });
});
