import type { Logger } from '@platform/logging';

const levels = new Set<PropertyKey>(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const silent = (): void => undefined;

/**
 * A child logger made only when something is written through it. A pino child with the
 * platform's redaction paths costs tens of µs to create (its bindings go through the redacting
 * serializer), and a consumer makes one per event, while most events write no line at the
 * service's level (`debug` is off in production). A call at a disabled level is a no-op; any
 * other use (an enabled level, `child`, `bindings`...) creates the real child once and goes to it.
 */
export function lazyChild(parent: Logger, bindings: () => Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const real = (): Logger => (child ??= parent.child(bindings()));
  return new Proxy(parent, {
    get(_target, prop) {
      if (child === undefined && levels.has(prop) && !parent.isLevelEnabled(prop as string)) return silent;
      const target = real();
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set(_target, prop, value) {
      return Reflect.set(real(), prop, value);
    },
  });
}
