// The load generator's accounting, against a server whose answers we choose: a failed run must say
// which status codes it got, in both the closed-loop (autocannon) and the open-loop (node:http) mode.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureSummary, startLoad, type LoadSpec } from './load.js';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const status = req.url === '/limited' ? 429 : req.url === '/down' ? 503 : 200;
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const requests = [
  { method: 'GET', path: '/ok' },
  { method: 'GET', path: '/limited' },
  { method: 'GET', path: '/ok' },
  { method: 'GET', path: '/down' },
];

describe.each([
  ['closed loop', {}],
  ['open loop', { rate: 200 }],
])('load generator, %s', (_mode, shape: Partial<LoadSpec>) => {
  it('counts every answer by status code and names the non-2xx ones', async () => {
    const load = await startLoad({ url, requests, connections: 2, durationSec: 1, warmupSec: 0, ...shape });
    const result = await load.measure();
    const counted = Object.values(result.statusCodes).reduce((a, b) => a + b, 0);
    expect(result.requests).toBeGreaterThan(20);
    expect(counted).toBe(result.requests);
    expect(result.statusCodes['200']).toBe(result.ok);
    expect((result.statusCodes['429'] ?? 0) + (result.statusCodes['503'] ?? 0)).toBe(result.non2xx);
    // Round-robin over the four paths: a quarter each of 429 and 503 (give or take the last lap).
    expect(Math.abs(result.statusCodes['429']! - result.requests / 4)).toBeLessThanOrEqual(2 + result.requests * 0.02);
    const line = failureSummary(result);
    expect(line).toContain(`non-2xx ${result.non2xx} (`);
    expect(line).toMatch(/429 × \d+, 503 × \d+|503 × \d+, 429 × \d+/);
    expect(line).not.toContain('200 ×');
  });
});
