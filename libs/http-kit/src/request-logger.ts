import { lazyChild, type Logger } from '@platform/logging';
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';

type Bindings = Parameters<Logger['child']>[0];
type ChildLoggerOptions = NonNullable<Parameters<Logger['child']>[1]>;

/**
 * Fastify's `childLoggerFactory`: `request.log` becomes a pino child only when the request writes
 * a line (@platform/logging's `lazyChild`), unless the route asks for its own level or
 * serializers (then the child is made at once, as Fastify does).
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  if (Object.keys(options).length > 0) return logger.child(bindings, options);
  // Fastify's base logger type is pino's, narrowed; the app's logger is always a pino logger.
  return lazyChild(logger as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger;
}

/** `/a/b?x=1` → `/a/b`, without an array per call. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Every app's logger is pino's (createLogger), whose children answer `isLevelEnabled`. */
const enabled = (log: FastifyBaseLogger, level: string): boolean => (log as unknown as Logger).isLevelEnabled(level);

/**
 * Fastify's per-request lines ("incoming request", "request completed") as Fastify writes them,
 * asked first whether their level is on: at the services' usual `warn` the lines are never
 * written, yet Fastify ran `disableRequestLogging` (a path check) twice a request and built the
 * line's arguments before pino dropped it (1.3 % of the gateway's `/health` profile,
 * docs/benchmarks.md, issue 12 round 5).
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (enabled(request.log, 'info')) super.incomingRequest(request, reply, metadata);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (enabled(reply.log, error ? 'error' : 'info')) super.requestCompleted(error, request, reply, metadata);
  }
}
