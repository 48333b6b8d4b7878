import type { Logger as PinoLogger } from 'pino';

// pino types a child as Logger<string>; the class holds the parent and its child alike.
type Logger = PinoLogger<string>;
type Bindings = Parameters<Logger['child']>[0];
type ChildLoggerOptions = NonNullable<Parameters<Logger['child']>[1]>;
type LevelWithSilentOrString = Logger['level'];
type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
type LogArgs = Parameters<Logger['info']>;

/**
 * A child made only when a line is actually written through it. pino redacts a child's bindings
 * against every redact path as it builds it — with the platform's wildcard paths (`*.password`,
 * `*.*.token`...) that costs tens of µs, and each request (Fastify's `request.log`) and each
 * consumed event gets a child while most write nothing at the service's level (`node --cpu-prof`,
 * docs/benchmarks.md). The child, once made, is exactly `parent.child(bindings, options)`, so
 * lines and redaction are unchanged. A class, not a Proxy: it sits on every request's path.
 */
class LazyChild {
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

/** `parent.child(bindings, options)`, built on the first line written through it. */
export function lazyChild(parent: PinoLogger, bindings: Bindings, options: ChildLoggerOptions = {}): PinoLogger {
  return new LazyChild(parent as unknown as Logger, bindings, options) as unknown as PinoLogger;
}
