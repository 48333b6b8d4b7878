import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { gatewayTimeout, serviceUnavailable } from '@platform/http-kit';
import { traceOutgoing } from '@platform/tracing';
import { upstreamNames, type GatewayConfig } from '../config.js';
import type { ProxyMetrics } from '../metrics.js';
import type { ReplicaSet, Upstreams } from './replicas.js';
import { pathOf, proxiedMethods, upstreamPrefixes } from './routes-table.js';

export interface ProxyOptions {
  config: GatewayConfig;
  /** The replicas of every service, shared with readiness (which also takes replicas in and out). */
  upstreams: Upstreams;
  /** Runs before forwarding (edge auth, per-user rate limit); throwing answers instead of the service. */
  guard: onRequestAsyncHookHandler;
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

function stripHopByHop<T extends Record<string, unknown>>(headers: T): T {
  const copy = { ...headers };
  for (const name of hopByHop) delete copy[name];
  return copy;
}

/**
 * One @fastify/reply-from instance per service (an undici agent: one keep-alive pool per replica),
 * each in its own encapsulated context with the routes of that service's prefixes. Each request
 * goes to the next replica in rotation (see replicas.ts). The normalised path (see
 * normalise-target.ts) and the query go through; the body goes through byte for byte (see raw-body.ts).
 */
export async function registerProxy(app: FastifyInstance, { config, upstreams, guard, metrics }: ProxyOptions): Promise<void> {
  for (const name of upstreamNames) {
    await app.register(async (scope) => upstreamScope(scope, upstreams[name], config, guard, metrics));
  }
}

async function upstreamScope(
  scope: FastifyInstance,
  replicas: ReplicaSet,
  config: GatewayConfig,
  guard: onRequestAsyncHookHandler,
  metrics?: ProxyMetrics,
): Promise<void> {
  const { name } = replicas;
  const timeout = config.upstreamTimeoutMs;
  await scope.register(replyFrom, {
    // No fixed base: `getUpstream` names the replica per request.
    undici: {
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      // Certificates of https upstreams are always checked.
      connect: { timeout: Math.min(timeout, 5_000), rejectUnauthorized: true },
    },
    destroyAgent: true,
    disableRequestLogging: true,
  });

  const forward = (request: FastifyRequest, reply: FastifyReply, base: string, tried: Set<string>): FastifyReply => {
    tried.add(base);
    const body = request.body as Buffer | undefined;
    metrics?.forwarded(request, name);
    // request.url is the normalised target (see normalise-target.ts): exactly what was decided on.
    return reply.from(request.url, {
      getUpstream: () => base,
      ...(body ? { body, contentType: request.headers['content-type'] } : {}),
      rewriteRequestHeaders: (req, headers) => {
        const out: Record<string, unknown> = stripHopByHop(headers);
        for (const header of clientForwarding) delete out[header];
        // The gateway's id (the caller's if sane, else a new one), so the service's log lines
        // and the events it publishes carry the same id as the gateway's response.
        out['x-request-id'] = req.id;
        // The client address as the gateway sees it (X-Forwarded-For only honoured under TRUST_PROXY).
        out['x-forwarded-for'] = req.ip;
        out['x-forwarded-proto'] = req.protocol;
        // The service continues the gateway's trace (a CLIENT span for this hop), not the client's header.
        traceOutgoing(req, out, `proxy ${name}`, { 'server.address': name });
        return out as typeof headers;
      },
      rewriteHeaders: (headers) => stripHopByHop(headers),
      retryDelay: ({ err, attempt }) =>
        (request.method === 'GET' || request.method === 'HEAD') && attempt === 0 && err && staleConnection.has(causeCode(err) ?? '') ? 1 : null,
      onError: (failedReply, { error }) => {
        const code = causeCode(error);
        if (neverConnected.has(code ?? '')) {
          replicas.markDown(base, code ?? error.message);
          const other = replicas.pick(tried);
          if (other) {
            request.log.warn({ upstream: name, replica: base, code, next: other }, 'upstream replica unreachable, trying another');
            forward(request, failedReply as FastifyReply, other, tried);
            return;
          }
        }
        const timedOut = (error as { statusCode?: number }).statusCode === 504 || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
        request.log.warn({ upstream: name, path: pathOf(request.url), code: code ?? error.message }, timedOut ? 'upstream timed out' : 'upstream unreachable');
        metrics?.failed(name, timedOut);
        // Refused, reset, DNS, closed mid-answer: the client learns only that the service is unavailable.
        failedReply.send(timedOut ? gatewayTimeout() : serviceUnavailable());
      },
    });
  };

  for (const prefix of upstreamPrefixes[name]) {
    for (const url of [prefix, `${prefix}/*`]) {
      scope.route({
        method: [...proxiedMethods],
        url,
        schema: { hide: true },
        onRequest: guard,
        handler: (request, reply) => {
          const tried = new Set<string>();
          return forward(request, reply, replicas.pick(tried) as string, tried);
        },
      });
    }
  }
}
