import type { JsMsg } from '@nats-io/jetstream';
import { stripNamespace } from './namespace.js';
import { SpanKind, extractContext, startChildSpan, tracingActive, type Attributes, type Context, type Span } from '@platform/tracing';

/** The trace an event message continues (its `traceparent` header), ROOT when it carries none. */
export function messageContext(msg: JsMsg): Context {
  if (!tracingActive() || !msg.headers) return extractContext(undefined);
  return extractContext({ traceparent: msg.headers.get('traceparent') || undefined, tracestate: msg.headers.get('tracestate') || undefined });
}

export function messageAttributes(msg: JsMsg, consumer: string, eventId?: string): Attributes {
  return {
    'messaging.system': 'nats',
    'messaging.operation.type': 'process',
    'messaging.destination.name': msg.subject,
    'messaging.consumer.group.name': consumer,
    ...(eventId ? { 'messaging.message.id': eventId } : {}),
  };
}

/**
 * One `process <subject>` CONSUMER span per message of a batch that carries a trace (a batch
 * mixes traces, so none of them can be the parent of the batch's one transaction); `end` closes
 * them all with the batch's outcome.
 */
const untraced = { end: () => undefined };

export function batchSpans(batch: JsMsg[], consumer: string, namespace?: string): { end(error?: unknown): void } {
  if (!tracingActive()) return untraced;
  const spans: Span[] = [];
  for (const msg of batch) {
    const span = startChildSpan(`process ${stripNamespace(msg.subject, namespace)}`, messageContext(msg), { kind: SpanKind.CONSUMER, attributes: messageAttributes(msg, consumer) });
    if (span) spans.push(span);
  }
  return {
    end(error) {
      for (const span of spans) {
        if (error) span.recordException(error instanceof Error ? error : String(error));
        span.end();
      }
    },
  };
}
