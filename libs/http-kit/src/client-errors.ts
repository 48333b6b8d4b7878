import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './error-handling.js';
import { codeForStatus } from './errors/codes.js';
import { REQUEST_ID_HEADER } from './request-id.js';

interface ClientError extends Error {
  code?: string;
}

/** What Node's HTTP parser and timers report, as the status a client should read. */
function classify(code: string | undefined): { status: number; message: string } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'Request not received in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'Request headers are too large' };
    default:
      return { status: 400, message: 'Malformed HTTP request' };
  }
}

/**
 * Errors Node raises before Fastify ever sees a request (malformed framing, conflicting
 * Content-Length and Transfer-Encoding, an oversized header block, a request that did not
 * arrive within the request or headers timeout) still answer the platform's envelope with
 * their true status, then the connection is closed: after such an error its framing cannot be
 * trusted. Fastify's default writes `{ error, message, statusCode }` instead.
 */
export function clientErrorHandler(this: FastifyInstance, error: ClientError, socket: Socket): void {
  // A reset or already-closed connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, message } = classify(error.code);
  const requestId = randomUUID();
  this.log.info({ requestId, status, reason: error.code ?? error.message, remoteAddress: socket.remoteAddress }, 'client error, connection closed');
  // As Node does: never write into the middle of a response that has already started.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody({ code: codeForStatus(status), message }, this.serviceName, requestId));
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `${REQUEST_ID_HEADER}: ${requestId}`,
    'connection: close',
  ].join('\r\n');
  // Close once the answer is flushed; a peer that never reads still loses the socket soon after.
  socket.setTimeout(1_000, () => socket.destroy());
  socket.end(`${head}\r\n\r\n${body}`, () => socket.destroy());
}
