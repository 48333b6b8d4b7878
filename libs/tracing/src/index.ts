export { startTracing, samplerFor, type Tracing } from './start-tracing.js';
export { tracingActive } from './state.js';
export {
  SpanKind,
  activeTraceId,
  extractContext,
  hasParent,
  recordError,
  startChildSpan,
  traceHeaders,
  withSpan,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type TraceCarrier,
} from './spans.js';
export { installHttpTracing, traceOutgoing } from './fastify.js';
