import type { FastifyBaseLogger } from 'fastify';
import type { Logger as PinoLogger } from '@platform/logging';

type Logger = PinoLogger<string>;

type Bindings = Parameters<Logger['child']>[0];
type ChildLoggerOptions = NonNullable<Parameters<Logger['child']>[1]>;
type LevelWithSilentOrString = Logger['level'];

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
type LogArgs = Parameters<FastifyBaseLogger['info']>;

/**
 * `request.log`, made into a pino child only when a line is actually written. Fastify builds a
 * child per request (bindings: the request id), and pino redacts a child's bindings against
 * every redact path as it builds it — with our wildcard paths (`*.password`, `*.*.token`...)
 * that was 3.5 % of the gateway's CPU under load (`node --cpu-prof`, docs/benchmarks.md) for
 * requests that mostly log nothing. The child, once made, is exactly the one Fastify would have
 * made (same bindings, same options), so lines and redaction are unchanged.
 */
class RequestLogger {
  #child: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly childBindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get logger(): Logger {
    this.#child ??= this.parent.child(this.childBindings, this.options);
    return this.#child;
  }

  get level(): LevelWithSilentOrString {
    return (this.#child ?? this.parent).level;
  }

  set level(level: LevelWithSilentOrString) {
    this.logger.level = level;
  }

  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.parent).isLevelEnabled(level);
  }

  private write(level: Level, args: LogArgs): void {
    if (this.#child) (this.#child[level] as (...a: LogArgs) => void)(...args);
    else if (this.parent.isLevelEnabled(level)) (this.logger[level] as (...a: LogArgs) => void)(...args);
  }

  trace(...args: LogArgs): void {
    this.write('trace', args);
  }
  debug(...args: LogArgs): void {
    this.write('debug', args);
  }
  info(...args: LogArgs): void {
    this.write('info', args);
  }
  warn(...args: LogArgs): void {
    this.write('warn', args);
  }
  error(...args: LogArgs): void {
    this.write('error', args);
  }
  fatal(...args: LogArgs): void {
    this.write('fatal', args);
  }
  silent(): void {
    // pino's `silent` level writes nothing, whatever the arguments.
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }

  bindings(): ReturnType<Logger['bindings']> {
    return this.logger.bindings();
  }
}

/**
 * Fastify's `childLoggerFactory`: a lazy child unless the route asks for its own level or
 * serializers (then the child is made at once, as Fastify does).
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  if (Object.keys(options).length > 0) return logger.child(bindings, options);
  // Fastify's base logger type is pino's, narrowed; the app's logger is always a pino logger.
  return new RequestLogger(logger as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger;
}
