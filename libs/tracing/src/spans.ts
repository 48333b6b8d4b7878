import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { platformTracer, tracingActive } from './state.js';

export { SpanKind, type Attributes, type Context, type Span };

export type TraceCarrier = Partial<Record<string, string | string[] | undefined>>;

const getter = {
  keys: (carrier: TraceCarrier) => Object.keys(carrier),
  get: (carrier: TraceCarrier, key: string) => carrier[key],
};

/**
 * `traceparent` (and `tracestate`) of the active span, to store or send with a message; empty
 * when tracing is off or nothing is being traced, so callers can spread it unconditionally.
 */
export function traceHeaders(ctx?: Context): Record<string, string> {
  if (!tracingActive()) return {};
  const out: Record<string, string> = {};
  propagation.inject(ctx ?? context.active(), out);
  return out;
}

/** The remote parent described by `traceparent`/`tracestate` in `carrier` (ROOT when there is none). */
export function extractContext(carrier: TraceCarrier | undefined): Context {
  if (!carrier || !tracingActive()) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier, getter);
}

/** True when `ctx` holds a span (local or remote) to continue. */
export function hasParent(ctx: Context): boolean {
  return trace.getSpanContext(ctx) !== undefined;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; the active context by default. */
  parent?: Context;
  /** Only trace this when it continues a trace (a child, never a root: e.g. a polling query). */
  childOnly?: boolean;
}

/**
 * Runs `fn` inside a new span (active for everything `fn` awaits), ended when `fn` settles and
 * marked as an error when it throws. With tracing off it is `fn()` and nothing else.
 */
export function withSpan<T>(name: string, options: SpanOptions, fn: (span?: Span) => Promise<T>): Promise<T> {
  if (!tracingActive()) return fn();
  const parent = options.parent ?? context.active();
  if (options.childOnly && !hasParent(parent)) return fn();
  const span = platformTracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function recordError(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** The trace id of the active span (for log lines), or undefined when nothing is traced. */
export function activeTraceId(ctx?: Context): string | undefined {
  if (!tracingActive()) return undefined;
  return trace.getSpanContext(ctx ?? context.active())?.traceId;
}

/**
 * Starts (does not activate) a span under `parent`, only when `parent` continues a trace;
 * undefined otherwise or with tracing off. The caller ends it.
 */
export function startChildSpan(name: string, parent: Context, options: Pick<SpanOptions, 'kind' | 'attributes'> = {}): Span | undefined {
  if (!tracingActive() || !hasParent(parent)) return undefined;
  return platformTracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
}
