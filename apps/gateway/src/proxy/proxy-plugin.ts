import replyFrom, { type FastifyReplyFromHooks } from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { gatewayTimeout, serviceUnavailable } from '@platform/http-kit';
import { traceOutgoing } from '@platform/tracing';
import { upstreamNames, type GatewayConfig } from '../config.js';
import type { ProxyMetrics } from '../metrics.js';
import type { ReplicaSet, Upstreams } from './replicas.js';
import { pathOf, proxiedMethods, upstreamPrefixes } from './routes-table.js';
import { upstreamClient } from './upstream-client.js';
import { sendUpstreamAnswer, type UpstreamAnswer } from './whole-answers.js';
import { removedByHelmet } from '../security.js';

export interface ProxyOptions {
  config: GatewayConfig;
  /** The replicas of every service, shared with readiness (which also takes replicas in and out). */
  upstreams: Upstreams;
  /** Runs before forwarding (edge auth, per-user rate limit); an error passed to `done` answers instead of the service. */
  guard: onRequestHookHandler;
  /** Told of each forwarded request and each upstream failure. */
  metrics?: ProxyMetrics;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, never the next one. */
const hopByHop = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
/** Forwarding headers the client might forge; the gateway sets its own. */
const clientForwarding = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'];
/** Worth one more try on a fresh connection, for idempotent methods only (a keep-alive socket the service just closed). */
const staleConnection = new Set(['ECONNRESET', 'UND_ERR_SOCKET']);
/**
 * No connection was made, so the request cannot have reached the replica: it is taken out of
 * rotation and the request, whatever its method, goes to another replica (each tried once).
 */
const neverConnected = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

function causeCode(error: Error): string | undefined {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as { code?: string }).code;
}

/** Never in an answer: hop-by-hop headers, and those helmet removes (`x-powered-by`). */
const droppedResponseHeaders = new Set([...hopByHop, ...removedByHelmet()]);
/** Set on the forwarded request's headers to drop them (undici skips `undefined` values). */
const droppedRequestHeaders = [...hopByHop, ...clientForwarding];

/**
 * The upstream's response headers minus hop-by-hop ones (and helmet's removed ones), in one pass into a new object: copying
 * with a spread and then `delete`ing turned every answer's headers into a slow dictionary-mode
 * object (`stripHopByHop`: 4.6 µs a request in the gateway's profile, docs/benchmarks.md).
 */
function withoutHopByHop<T extends object>(headers: T): T {
  const kept: Record<string, unknown> = {};
  for (const name in headers) {
    if (!droppedResponseHeaders.has(name)) kept[name] = headers[name as keyof T];
  }
  return kept as T;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The replica this request is being forwarded to (set per attempt), else null. */
    replica: string | null;
    /** The replicas already tried for this request, once one refused the connection; else null. */
    replicasTried: Set<string> | null;
  }
}

/**
 * One @fastify/reply-from instance per service (an undici agent: one keep-alive pool per replica),
 * each in its own encapsulated context with the routes of that service's prefixes. Each request
 * goes to the next replica in rotation (see replicas.ts). The normalised path (see
 * normalise-target.ts) and the query go through; the body goes through byte for byte (see raw-body.ts).
 */
export async function registerProxy(app: FastifyInstance, { config, upstreams, guard, metrics }: ProxyOptions): Promise<void> {
  app.decorateRequest('replica', null);
  app.decorateRequest('replicasTried', null);
  for (const name of upstreamNames) {
    await app.register(async (scope) => upstreamScope(scope, upstreams[name], config, guard, metrics));
  }
}

async function upstreamScope(
  scope: FastifyInstance,
  replicas: ReplicaSet,
  config: GatewayConfig,
  guard: onRequestHookHandler,
  metrics?: ProxyMetrics,
): Promise<void> {
  const { name } = replicas;
  const timeout = config.upstreamTimeoutMs;
  await scope.register(replyFrom, {
    // No fixed base: `getUpstream` names the replica per request. The client is undici's Agent
    // with reply-from's own pool defaults (128 connections, no pipelining), its answers read
    // without a stream per small answer (upstream-client.ts).
    undici: upstreamClient({
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      // Certificates of https upstreams are always checked.
      connect: { timeout: Math.min(timeout, 5_000), rejectUnauthorized: true },
    }) as never,
    destroyAgent: true,
    disableRequestLogging: true,
  });

  // One name and attribute set per service for the proxy hop's span (not an object per request).
  const spanName = `proxy ${name}`;
  const spanAttributes = { 'server.address': name };

  const onError: NonNullable<FastifyReplyFromHooks['onError']> = (failedReply, { error }) => {
    const reply = failedReply as FastifyReply;
    const request = reply.request;
    const base = request.replica as string;
    const code = causeCode(error);
    if (neverConnected.has(code ?? '')) {
      replicas.markDown(base, code ?? error.message);
      const tried = (request.replicasTried ??= new Set());
      tried.add(base);
      const other = replicas.pick(tried);
      if (other) {
        request.log.warn({ upstream: name, replica: base, code, next: other }, 'upstream replica unreachable, trying another');
        forward(request, reply, other);
        return;
      }
    }
    const timedOut = (error as { statusCode?: number }).statusCode === 504 || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
    request.log.warn({ upstream: name, path: pathOf(request.url), code: code ?? error.message }, timedOut ? 'upstream timed out' : 'upstream unreachable');
    metrics?.failed(name, timedOut);
    // Refused, reset, DNS, closed mid-answer: the client learns only that the service is unavailable.
    reply.send(timedOut ? gatewayTimeout() : serviceUnavailable());
  };

  // Built once per service, not per request: reply-from reads the replica and everything else
  // from the request itself (closures made per request were a visible share of the profile).
  const fromOptions: FastifyReplyFromHooks = {
    getUpstream: (request) => request.replica as string,
    rewriteRequestHeaders: (req, headers) => {
      // reply-from hands over its own copy of the client's headers: dropped in place (set to
      // undefined, which undici skips; `delete` would make the object a slow dictionary).
      const out = headers as Record<string, unknown>;
      for (const header of droppedRequestHeaders) {
        if (out[header] !== undefined) out[header] = undefined;
      }
      // The gateway's id (the caller's if sane, else a new one), so the service's log lines
      // and the events it publishes carry the same id as the gateway's response.
      out['x-request-id'] = req.id;
      // The client address as the gateway sees it (X-Forwarded-For only honoured under TRUST_PROXY).
      out['x-forwarded-for'] = req.ip;
      out['x-forwarded-proto'] = req.protocol;
      // The service continues the gateway's trace (a CLIENT span for this hop), not the client's header.
      traceOutgoing(req, out, spanName, spanAttributes);
      return headers;
    },
    rewriteHeaders: (headers) => withoutHopByHop(headers),
    // `req` is what reply-from sends (its method is the client's): GET/HEAD get one more try
    // on a kept-alive connection the service had just closed.
    retryDelay: ({ err, req, attempt }) =>
      (req.method === 'GET' || req.method === 'HEAD') && attempt === 0 && err && staleConnection.has(causeCode(err) ?? '') ? 1 : null,
    onError,
    // Small answers arrive whole and go out as one buffer, larger ones are piped (whole-answers.ts).
    onResponse: (_request, reply, res) => sendUpstreamAnswer(reply as FastifyReply, res as unknown as UpstreamAnswer),
  };

  function forward(request: FastifyRequest, reply: FastifyReply, base: string): void {
    request.replica = base;
    const body = request.body as Buffer | undefined;
    metrics?.forwarded(request, name);
    // request.url is the normalised target (see normalise-target.ts): exactly what was decided on.
    reply.from(request.url, body ? { ...fromOptions, body, contentType: request.headers['content-type'] } : fromOptions);
  }

  for (const prefix of upstreamPrefixes[name]) {
    for (const url of [prefix, `${prefix}/*`]) {
      scope.route({
        method: [...proxiedMethods],
        url,
        schema: { hide: true },
        onRequest: guard,
        // Returns nothing: a returned reply is a thenable, and Fastify waits on it with
        // end-of-stream listeners on the raw response (`Reply.then` → `eos`) for every request,
        // though reply-from sends the answer itself (docs/benchmarks.md, issue 12 round 8).
        handler: (request, reply) => {
          forward(request, reply, replicas.pick() as string);
        },
      });
    }
  }
}
