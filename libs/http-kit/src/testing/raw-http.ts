import { connect, type Socket } from 'node:net';

/** A plain TCP connection to an HTTP server, for what `fetch` and `inject` cannot send. */
export interface RawConnection {
  write(data: string | Buffer): void;
  /** Everything the server sent so far. */
  received(): string;
  isClosed(): boolean;
  /** Resolves once the server has closed the connection; rejects after `timeoutMs`. */
  closed(timeoutMs: number): Promise<void>;
  destroy(): void;
}

export async function openRawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // A reset after the answer (the server gave up on the rest of a request) still counts as closed.
  socket.on('error', () => undefined);
  const whenClosed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  return {
    write: (data) => {
      if (!socket.destroyed) socket.write(data);
    },
    received: () => Buffer.concat(chunks).toString('utf8'),
    isClosed: () => closed,
    closed: (timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs);
        void whenClosed.then(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    destroy: () => socket.destroy(),
  };
}

/** Shaped like an `inject` response, so `expectEnvelope` reads it. */
export interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The first HTTP/1.1 response in `text` (status line, headers, a Content-Length body). */
export function parseRawResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no complete HTTP response in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const statusCode = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  const length = Number(headers['content-length'] ?? text.length);
  return { statusCode, headers, body: Buffer.from(text.slice(end + 4)).subarray(0, length).toString('utf8') };
}

/** Sends one request as written and waits for the server to answer and hang up. */
export async function rawExchange(url: string, request: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const connection = await openRawConnection(url);
  connection.write(request);
  await connection.closed(timeoutMs).finally(() => connection.destroy());
  return parseRawResponse(connection.received());
}
