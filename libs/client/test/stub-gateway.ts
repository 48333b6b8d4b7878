import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type StubHandler = (request: SeenRequest, response: ServerResponse) => void | Promise<void>;

export interface StubGateway {
  url: string;
  /** Every request received, in order. */
  seen: SeenRequest[];
  /** Requests to one path. */
  to(path: string): SeenRequest[];
  close(): Promise<void>;
}

/** Answers the envelope of docs/contract.md §2. */
export function answer(response: ServerResponse, status: number, data: unknown, extra: { code?: string; headers?: Record<string, string> } = {}): void {
  const code = extra.code ?? (status < 400 ? 'SUCCESS' : 'ERROR');
  response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'stub-request', ...extra.headers });
  response.end(JSON.stringify({ code, message: status < 400 ? 'OK' : `failed with ${code}`, module: 'stub', data, requestId: 'stub-request' }));
}

/**
 * A real HTTP server on a free loopback port standing in for the gateway in the client's focused
 * tests (the platform-backed ones are in apps/e2e): `handle` answers per request.
 */
export async function startStubGateway(handle: StubHandler): Promise<StubGateway> {
  const seen: SeenRequest[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const entry = { method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers, body: text ? JSON.parse(text) : undefined };
    seen.push(entry);
    try {
      await handle(entry, response);
    } catch (error) {
      answer(response, 500, null, { code: 'INTERNAL_ERROR' });
      throw error;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    to: (path) => seen.filter((request) => request.path === path),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
