import { SpanKind, SpanStatusCode, context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { asyncContextActive, platformTracer, tracingActive } from './state.js';

interface Traced {
  span: Span;
  ctx: Context;
  /** Client spans of this request (the gateway's upstream hop), ended with it. */
  children?: Span[];
}

/** Per-request state, in a request decoration (a fixed slot: cheaper than a WeakMap entry). */
const slot = 'platformTrace';
type WithSlot = { [slot]?: Traced | null };
const traced = {
  get: (request: object) => (request as WithSlot)[slot] ?? undefined,
  set: (request: object, state: Traced) => {
    (request as WithSlot)[slot] = state;
  },
  delete: (request: object) => {
    (request as WithSlot)[slot] = null;
  },
};

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
 * they are registered). `pathOf` cuts the query off a request URL: http-kit's, which decides every
 * app's path (this lib sits below http-kit and cannot import it).
 */
export function installHttpTracing(app: FastifyInstance, pathOf: (url: string) => string): void {
  if (!tracingActive()) return;
  app.decorateRequest(slot, null);
  // Without an async context manager (the gateway) there is nothing to activate.
  if (asyncContextActive()) app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function tracedHandler(request, reply) {
      const state = traced.get(request);
      return state ? context.with(state.ctx, handler, this, request, reply) : handler.call(this, request, reply);
    };
  });
  // Callback hooks, not async ones: no promise per request on the hot path.
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.routeOptions.url ?? 'unmatched';
    const span = platformTracer().startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': pathOf(request.url) } },
      parent,
    );
    traced.set(request, { span, ctx: trace.setSpan(parent, span) });
    if (span.isRecording() || trace.getSpanContext(parent)) request.log = request.log.child({ traceId: span.spanContext().traceId });
    done();
  });
  app.addHook('onError', async (request, _reply, error) => {
    traced.get(request)?.span.recordException(error);
  });
  app.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  // No onRequestAbort hook: it costs a listener per request. A request aborted before its
  // response finished leaves its span unended: never exported, and gone with the request.
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
