import { lazyChild, type Logger } from '@platform/logging';
import type { FastifyBaseLogger } from 'fastify';

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
