import * as z from 'zod';
import { envelope, errorResponses, ok, type HttpApp } from '@platform/http-kit';
import type { EventOperations } from '../sources/event-operations.js';

const span = z.object({ traceId: z.string(), spanId: z.string(), parentSpanId: z.string().nullable(), service: z.string(), name: z.string(), startMs: z.number(), durationMs: z.number() });
const traceView = z.object({
  requestId: z.string(),
  /** false: no trace exporter is configured for the console to read (CONSOLE_TRACES_URL). */
  configured: z.boolean(),
  spans: z.array(span),
  traceError: z.string().nullable(),
  /** The events the request caused (their correlation id is the request id), whatever the tracing. */
  events: z.array(z.object({ seq: z.number(), subject: z.string(), eventId: z.string().nullable(), occurredAt: z.string().nullable() })),
});

interface JaegerTrace {
  traceID: string;
  spans: { traceID: string; spanID: string; operationName: string; startTime: number; duration: number; processID: string; references?: { refType: string; spanID: string }[] }[];
  processes: Record<string, { serviceName: string }>;
}

/** Spans from a Jaeger-compatible query API (what an OTLP collector usually feeds), by the request-id attribute. */
async function spansFor(tracesUrl: string, requestId: string, timeoutMs: number) {
  const url = new URL('/api/traces', tracesUrl);
  url.searchParams.set('service', 'gateway');
  url.searchParams.set('tags', JSON.stringify({ 'http.request_id': requestId }));
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`the trace store answered ${response.status}`);
  const body = (await response.json()) as { data?: JaegerTrace[] };
  return (body.data ?? []).flatMap((trace) =>
    trace.spans.map((s) => ({
      traceId: s.traceID,
      spanId: s.spanID,
      parentSpanId: s.references?.find((r) => r.refType === 'CHILD_OF')?.spanID ?? null,
      service: trace.processes[s.processID]?.serviceName ?? '?',
      name: s.operationName,
      startMs: s.startTime / 1000,
      durationMs: s.duration / 1000,
    })),
  );
}

export function tracesRoutes(app: HttpApp, deps: { events: EventOperations; tracesUrl?: string; timeoutMs: number }): void {
  app.get(
    '/console/api/traces/:requestId',
    {
      schema: {
        tags: ['console'],
        summary: 'What one request did: its spans (when tracing is configured) and the events it caused',
        params: z.strictObject({ requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'a request id') }),
        response: { 200: envelope(traceView), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { requestId } = request.params;
      const events = (await deps.events.recentEvents({ limit: 200 })).filter((e) => e.correlationId === requestId);
      let spans: z.infer<typeof span>[] = [];
      let traceError: string | null = null;
      if (deps.tracesUrl) {
        spans = await spansFor(deps.tracesUrl, requestId, deps.timeoutMs).catch((error: unknown) => {
          traceError = error instanceof Error ? error.message : String(error);
          return [];
        });
      }
      return ok(reply, { requestId, configured: Boolean(deps.tracesUrl), spans, traceError, events });
    },
  );
}
