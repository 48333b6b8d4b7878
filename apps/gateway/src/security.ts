import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/** What helmet's defaults do to a response: headers set, headers removed. */
export interface SecurityHeaders {
  set: ReadonlyArray<readonly [name: string, value: string]>;
  removed: readonly string[];
}

/**
 * Helmet's default headers, computed once. They depend on nothing in the request (no CSP nonces),
 * and running helmet's middleware chain per request re-parsed the CSP directives and built every
 * header again: 6 % of the gateway's CPU under load (`node --cpu-prof`, docs/benchmarks.md).
 * Helmet itself still decides the set, so a helmet upgrade changes both alike.
 */
export function helmetDefaults(): SecurityHeaders {
  const set: Array<readonly [string, string]> = [];
  const removed: string[] = [];
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value)]);
      return res;
    },
    removeHeader(name: string) {
      removed.push(name.toLowerCase());
    },
  };
  helmet()({} as IncomingMessage, res as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return Object.freeze({ set: Object.freeze(set), removed: Object.freeze(removed) });
}

/**
 * Security headers on every answer (helmet defaults: the API serves JSON only, so its strict
 * CSP costs nothing; /docs sets its own in onSend, which wins over these raw headers as it did
 * over helmet's). CORS only for the configured browser origins; tokens travel in
 * `Authorization`, never in cookies, so no credentials mode.
 */
export async function registerSecurity(app: FastifyInstance, corsOrigins: string[]): Promise<void> {
  const { set, removed } = helmetDefaults();
  // Set on the raw response like helmet did, so route code and proxied answers override them alike.
  app.addHook('onRequest', (_request, reply, done) => {
    const res = reply.raw;
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    done();
  });
  await app.register(cors, {
    origin: corsOrigins.length > 0 ? corsOrigins : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'idempotency-key'],
    exposedHeaders: ['x-request-id', 'retry-after', 'deprecation', 'sunset', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
    maxAge: 600,
  });
}
