import { trace, type Tracer } from '@opentelemetry/api';

/**
 * Whether a tracer provider was started in this process. Every hook checks it first, so with
 * tracing off (the local default) no span, context or header is ever built: the off path is
 * one boolean test.
 */
let active = false;
let asyncContext = false;
let tracer: Tracer = trace.getTracer('@platform/tracing');

export function tracingActive(): boolean {
  return active;
}

export function platformTracer(): Tracer {
  return tracer;
}

/** Whether an async context manager keeps the active span across awaits (see TracingSettings.asyncContext). */
export function asyncContextActive(): boolean {
  return active && asyncContext;
}

export function setTracingActive(value: boolean, withAsyncContext = false): void {
  active = value;
  asyncContext = withAsyncContext;
  // Re-read: a tracer taken before the provider was registered would stay a no-op one.
  tracer = trace.getTracer('@platform/tracing');
}
