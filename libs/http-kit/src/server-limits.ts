import type { Socket } from 'node:net';
import type { HttpServerSettings } from '@platform/config';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { ServerOptions } from 'node:http';
import { AppError } from './errors/app-error.js';

/**
 * Fastify 5 turns Node's request timeout off (0) by default; these put every timeout back from
 * configuration. Node checks request and headers deadlines on a timer (30 s by default): a
 * shorter period keeps a 30 s timeout close to 30 s.
 */
export function timeoutOptions(settings: HttpServerSettings): Pick<FastifyServerOptions, 'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout'> & { http: ServerOptions } {
  return {
    requestTimeout: settings.requestTimeoutMs,
    connectionTimeout: settings.socketTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    http: {
      requestTimeout: settings.requestTimeoutMs,
      headersTimeout: settings.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(settings.headersTimeoutMs / 4))),
    },
  };
}

const OVER_CAP = Symbol('platform.overConnectionCap');
type CountedSocket = Socket & { [OVER_CAP]?: true };

const NO_CAP = (): undefined => undefined;

/**
 * At most `max` open connections per client address (the socket's peer: behind a load balancer
 * that is the balancer, so raise or disable the cap there). A connection over the cap gets one
 * 429 envelope (`Retry-After: 1`, `Connection: close`) to its first request and is closed. The
 * returned check gives that error for the app's first onRequest hook (create-http-app.ts), and
 * undefined for every other request.
 */
export function capConnectionsPerClient(app: FastifyInstance, max: number): (request: FastifyRequest) => AppError | undefined {
  if (max <= 0) return NO_CAP;
  const open = new Map<string, number>();
  app.server.on('connection', (socket: CountedSocket) => {
    const peer = socket.remoteAddress ?? '';
    const count = (open.get(peer) ?? 0) + 1;
    open.set(peer, count);
    if (count > max) socket[OVER_CAP] = true;
    socket.once('close', () => {
      const left = (open.get(peer) ?? 1) - 1;
      if (left > 0) open.set(peer, left);
      else open.delete(peer);
    });
  });
  return (request) =>
    (request.raw.socket as CountedSocket | undefined)?.[OVER_CAP]
      ? new AppError('RATE_LIMITED', 'Too many open connections from this client', { headers: { 'retry-after': 1, connection: 'close' } })
      : undefined;
}
