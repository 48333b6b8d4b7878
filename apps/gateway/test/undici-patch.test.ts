import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// tools/patches/undici+7.30.2.patch: undici remembers the last long header value it found valid,
// so a proxy forwarding the same bearer token on every request scans it once, not per request.
describe('undici header value check (patched)', () => {
  let server: Server;
  let url: string;
  const agent = new Agent({ connections: 1 });
  const received: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req.headers);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await agent.close();
    await new Promise((resolve) => server.close(resolve));
  });

  afterEach(() => vi.restoreAllMocks());

  const send = async (headers: Record<string, string>) => {
    const answer = await request(url, { dispatcher: agent, headers });
    await answer.body.text();
  };
  /** Scans of `value` by undici's header value regex (`/[^\t\x20-\x7e\x80-\xff]/`). */
  const scansOf = (value: string) => {
    const test = vi.spyOn(RegExp.prototype, 'test');
    return () => test.mock.calls.filter(([argument], i) => argument === value && (test.mock.contexts[i] as RegExp).source.startsWith('[^\\t')).length;
  };

  it('scans a long value once when the same value is sent again', async () => {
    const token = `Bearer ${randomBytes(225).toString('base64url')}`;
    const scans = scansOf(token);
    await send({ authorization: token });
    // A new string with the same contents, as Node's parser makes for every incoming request.
    await send({ authorization: `Bearer ${token.slice(7)}` });
    await send({ authorization: token });
    expect(scans()).toBe(1);
    expect(received.slice(-3).map((headers) => headers.authorization)).toEqual([token, token, token]);
  });

  it('still refuses an invalid value of the same length right after a valid one', async () => {
    const token = `Bearer ${randomBytes(225).toString('base64url')}`;
    await send({ authorization: token });
    const broken = `${token.slice(0, 100)}\u0001${token.slice(101)}`;
    expect(broken.length).toBe(token.length);
    await expect(send({ authorization: broken })).rejects.toThrow(/invalid authorization header/);
    await expect(send({ authorization: `${token.slice(0, 100)}\n${token.slice(101)}` })).rejects.toThrow(/invalid authorization header/);
    await send({ authorization: token });
  });

  it('scans short values every time', async () => {
    const value = randomBytes(12).toString('hex');
    const scans = scansOf(value);
    await send({ 'x-short': value });
    await send({ 'x-short': value });
    expect(scans()).toBe(2);
  });
});
