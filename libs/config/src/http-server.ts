import { envInt } from './schemas.js';

/**
 * How long an HTTP server of the platform waits for a client, and how many connections one
 * client address may hold. Fastify 5 switches Node's request timeout off by default, so without
 * these a client trickling its body (or stalling after one byte) holds a connection forever.
 */
export interface HttpServerSettings {
  /** The whole request (headers and body) must have arrived within this (else 408, connection closed). */
  requestTimeoutMs: number;
  /** The request headers must have arrived within this; never more than `requestTimeoutMs`. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; keep it above the gateway's upstream keep-alive (30 s). */
  keepAliveTimeoutMs: number;
  /** A connection on which nothing moves for this long during a request is closed (a client that stops reading). */
  socketTimeoutMs: number;
  /** Open connections per client address (the socket's peer); 0 = no cap. */
  maxConnectionsPerClient: number;
}

export const HTTP_SERVER_DEFAULTS: Readonly<HttpServerSettings> = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 72_000,
  socketTimeoutMs: 60_000,
  maxConnectionsPerClient: 256,
};

/** Shutdown variables every process (the gateway too) reads. */
export const shutdownEnv = {
  /**
   * After SIGTERM, serve this long with /ready at 503 before closing, so a load balancer stops
   * sending first (0 locally). Part of the 10 s shutdown budget.
   */
  SHUTDOWN_DRAIN_DELAY_MS: envInt(0, { max: 8_000 }),
};

/** The variables every HTTP process (gateway and services) reads; spread into its env schema. */
export const httpServerEnv = {
  HTTP_REQUEST_TIMEOUT_MS: envInt(HTTP_SERVER_DEFAULTS.requestTimeoutMs, { min: 100 }),
  HTTP_HEADERS_TIMEOUT_MS: envInt(HTTP_SERVER_DEFAULTS.headersTimeoutMs, { min: 100 }),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: envInt(HTTP_SERVER_DEFAULTS.keepAliveTimeoutMs, { min: 100 }),
  HTTP_SOCKET_TIMEOUT_MS: envInt(HTTP_SERVER_DEFAULTS.socketTimeoutMs, { min: 100 }),
  HTTP_MAX_CONNECTIONS_PER_CLIENT: envInt(HTTP_SERVER_DEFAULTS.maxConnectionsPerClient, { min: 0 }),
};

export interface HttpServerEnv {
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  HTTP_SOCKET_TIMEOUT_MS: number;
  HTTP_MAX_CONNECTIONS_PER_CLIENT: number;
}

/** The parsed variables in the server's own words; headers can never get longer than the whole request. */
export function toHttpServerSettings(env: HttpServerEnv): HttpServerSettings {
  return {
    requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: Math.min(env.HTTP_HEADERS_TIMEOUT_MS, env.HTTP_REQUEST_TIMEOUT_MS),
    keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    socketTimeoutMs: env.HTTP_SOCKET_TIMEOUT_MS,
    maxConnectionsPerClient: env.HTTP_MAX_CONNECTIONS_PER_CLIENT,
  };
}
