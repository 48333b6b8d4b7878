import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply } from 'fastify';
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
 * Sets helmet's default headers on a reply (helmet defaults: the API serves JSON only, so its
 * strict CSP costs nothing; /docs sets its own in onSend, which wins over these). On the reply,
 * not the raw response: a header set on the raw response sends every header of the answer down
 * Node's slow `writeHead` path (a `setHeader` each, then `_storeHeader`: 9 % of `/health`'s
 * profile, docs/benchmarks.md, issue 12 round 5), while reply headers alone are written in one
 * pass. Route code and proxied answers override them alike. The headers helmet removes
 * (`x-powered-by`) are never set by Fastify; the proxy drops them from upstream answers
 * (`removedByHelmet`). Call it from the gateway's first hook (app.ts).
 */
export function securityHeaderSetter(): (reply: FastifyReply) => void {
  const { set } = helmetDefaults();
  // Plain arrays and an indexed loop: no iterator nor destructuring per header per request.
  const names = set.map(([name]) => name);
  const values = set.map(([, value]) => value);
  return (reply) => {
    for (let i = 0; i < names.length; i++) reply.header(names[i] as string, values[i]);
  };
}

/** The headers helmet removes from every answer (lower case). */
export const removedByHelmet = (): readonly string[] => helmetDefaults().removed;

/**
 * CORS only for the configured browser origins; tokens travel in `Authorization`, never in
 * cookies, so no credentials mode. Without any (CORS_ORIGINS unset) the plugin is not
 * registered: with `origin: false` it set no header and answered every preflight 404 anyway,
 * yet its hook ran on every request (two `request.routeOptions` objects and an options spread
 * each: ~660 instructions of `/health`'s ~146,000 by callgrind, docs/benchmarks.md, issue 12
 * round 7). A preflight is then a plain 404.
 */
export async function registerCors(app: FastifyInstance, corsOrigins: string[]): Promise<void> {
  if (corsOrigins.length === 0) return;
  // Lists joined once here: @fastify/cors joins an array option again on every request (the
  // exposed headers go on every answer), a string it sets as it is; the header values are the same.
  await app.register(cors, {
    origin: corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].join(', '),
    allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'idempotency-key'].join(', '),
    exposedHeaders: ['x-request-id', 'retry-after', 'deprecation', 'sunset', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'].join(', '),
    maxAge: 600,
  });
}
