import { SpanKind, SpanStatusCode, context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { asyncContextActive, platformTracer, tracingActive } from './state.js';

interface Traced {
  span: Span;
  ctx: Context;
  /** Client spans of this request (the gateway's upstream hop), ended with it. */
  children?: Span[];
}

const traced = new WeakMap<object, Traced>();

function end(request: FastifyRequest, statusCode: number): void {
  const state = traced.get(request);
  if (!state) return;
  traced.delete(request);
  for (const child of state.children ?? []) {
    child.setAttribute('http.response.status_code', statusCode);
    child.end();
  }
  state.span.setAttribute('http.response.status_code', statusCode);
  if (statusCode >= 500) state.span.setStatus({ code: SpanStatusCode.ERROR });
  state.span.end();
}

/**
 * A SERVER span per request, named after the route pattern (`POST /api/v1/auth/register`, never
 * the raw URL), continuing the caller's W3C `traceparent`; active while the handler runs so what
 * it does (queries, the outbox row) becomes its children. Request log lines carry `traceId`.
 * Installs nothing when tracing is off. Call before routes are added (handlers are wrapped as
 * they are registered).
 */
export function installHttpTracing(app: FastifyInstance): void {
  if (!tracingActive()) return;
  // Without an async context manager (the gateway) there is nothing to activate.
  if (asyncContextActive()) app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function tracedHandler(request, reply) {
      const state = traced.get(request);
      return state ? context.with(state.ctx, handler, this, request, reply) : handler.call(this, request, reply);
    };
  });
  app.addHook('onRequest', async (request) => {
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.routeOptions.url ?? 'unmatched';
    const span = platformTracer().startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] } },
      parent,
    );
    traced.set(request, { span, ctx: trace.setSpan(parent, span) });
    if (span.isRecording() || trace.getSpanContext(parent)) request.log = request.log.child({ traceId: span.spanContext().traceId });
  });
  app.addHook('onError', async (request, _reply, error) => {
    traced.get(request)?.span.recordException(error);
  });
  app.addHook('onResponse', async (request, reply) => end(request, reply.statusCode));
  app.addHook('onRequestAbort', async (request) => end(request, 499));
}

/**
 * Starts a CLIENT span for a call this request makes to another service (the gateway's proxy
 * hop) and writes its `traceparent` into `headers`, replacing whatever the client sent; the span
 * ends with the request. Without tracing (or outside a traced request) `headers` are untouched.
 */
export function traceOutgoing(request: object, headers: Record<string, unknown>, name: string, attributes: Record<string, string> = {}): void {
  const state = traced.get(request);
  if (!state) return;
  const span = platformTracer().startSpan(name, { kind: SpanKind.CLIENT, attributes }, state.ctx);
  (state.children ??= []).push(span);
  delete headers.traceparent;
  delete headers.tracestate;
  propagation.inject(trace.setSpan(state.ctx, span), headers);
}
