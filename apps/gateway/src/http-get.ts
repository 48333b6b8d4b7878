import { get as getHttp, type IncomingMessage } from 'node:http';
import { get as getHttps } from 'node:https';

export interface GetOptions {
  /** Bound on the whole exchange: connect, headers and body. */
  timeoutMs: number;
  accept?: string;
  /** Bodies above this many bytes are refused (default 8 MiB: a service's OpenAPI document is ~100 KB). */
  maxBytes?: number;
}

export interface GetAnswer {
  status: number;
  /** 2xx, as `fetch`'s `response.ok`. */
  ok: boolean;
  body: string;
}

/**
 * One GET for the gateway's own calls to the services (replica /ready probes, the JWKS, the
 * OpenAPI documents), over Node's http/https client. Not `fetch`: Node's fetch is its own
 * bundled copy of undici, next to the npm one the proxy forwards with, and its first connection
 * compiles undici's WebAssembly HTTP parser (~30 MB of compiler memory, about 10 MiB of which
 * stays resident in an idle gateway: docs/benchmarks.md, issue 12 round 6). Redirects are not
 * followed (the services never redirect these paths); https certificates are checked.
 */
export function httpGet(url: string | URL, { timeoutMs, accept, maxBytes = 8 * 2 ** 20 }: GetOptions): Promise<GetAnswer> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const get = target.protocol === 'https:' ? getHttps : target.protocol === 'http:' ? getHttp : undefined;
  if (!get) return Promise.reject(new Error(`unsupported protocol ${target.protocol}`));
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | undefined, answer?: GetAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        request.destroy();
        reject(error);
      } else resolve(answer as GetAnswer);
    };
    const request = get(target, { headers: accept ? { accept } : {} }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) settle(new Error(`answer over ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      response.on('error', settle);
      response.on('end', () => {
        if (!response.complete) return settle(new Error('answer cut short'));
        const status = response.statusCode ?? 0;
        settle(undefined, { status, ok: status >= 200 && status < 300, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const timer = setTimeout(() => settle(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('error', settle);
  });
}
