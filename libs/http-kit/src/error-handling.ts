import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { infrastructureFaultCode } from '@platform/resilience';
import type { ErrorEnvelope } from './envelope.js';
import { mapError, type MappedError } from './errors/to-envelope.js';
import { pathOf } from './request-logger.js';

export function errorBody(mapped: Pick<MappedError, 'code' | 'message' | 'issues'>, module: string, requestId: string): ErrorEnvelope {
  return {
    code: mapped.code,
    message: mapped.message,
    module,
    data: mapped.issues ? { issues: mapped.issues } : null,
    requestId,
  };
}

/** The fault code (a driver's own message may quote the SQL and its parameters), else the message. */
function reasonOf(error: unknown): string {
  return infrastructureFaultCode(error) ?? (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

/** Sends any thrown value as a contract envelope; also usable from hooks that answer early. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = mapError(error);
  if (mapped.status === 503 || mapped.status === 504) {
    // A dependency that is down or slow is an operational state: one line with the reason, no stack.
    request.log.warn({ code: mapped.code, reason: reasonOf(error) }, 'request failed: dependency unavailable');
  } else if (mapped.unexpected) {
    request.log.error({ err: error }, 'request failed');
  } else {
    request.log.debug({ code: mapped.code, reason: (error as Error | undefined)?.message }, 'request rejected');
  }
  if (mapped.headers) reply.headers(mapped.headers);
  return reply
    .code(mapped.status)
    .type('application/json; charset=utf-8')
    .send(errorBody(mapped, request.server.serviceName, request.id));
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody({ code: 'NOT_FOUND', message: `Route ${request.method} ${pathOf(request.url).slice(0, 200)} not found` }, app.serviceName, request.id)),
  );
}
