import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  BasicTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingSettings } from '@platform/config';
import { setTracingActive } from './state.js';

export interface Tracing {
  /** Sends what is still buffered; resolves once the exporter answered (or gave up). */
  flush(): Promise<void>;
  /** Flushes, then unregisters the provider (tracing is off again in this process). */
  shutdown(): Promise<void>;
}

const off: Tracing = { flush: async () => undefined, shutdown: async () => undefined };

export function samplerFor(settings: Pick<TracingSettings, 'sampler' | 'sampleRatio'>): Sampler {
  const ratio = new TraceIdRatioBasedSampler(settings.sampleRatio);
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    default:
      return new ParentBasedSampler({ root: ratio });
  }
}

/**
 * Starts the OpenTelemetry SDK for this process from validated settings: a tracer provider with
 * the configured sampler, W3C trace context (`traceparent`/`tracestate`) as the propagator,
 * async-local-storage context, and spans batched to the OTLP/HTTP endpoint. With
 * `settings.enabled` false nothing is registered and the returned handle does nothing.
 * `spanProcessor` replaces the exporter (tests pass an in-memory one).
 */
export function startTracing(settings: TracingSettings, spanProcessor?: SpanProcessor): Tracing {
  if (!settings.enabled && !spanProcessor) return off;
  const processor =
    spanProcessor ??
    new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.endpoint, timeoutMillis: 5_000 }), {
      scheduledDelayMillis: settings.exportDelayMs,
      // A collector that is down must never grow the heap without bound: spans past this are dropped.
      maxQueueSize: 2_048,
    });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    sampler: samplerFor(settings),
    spanProcessors: [processor],
  });
  if (settings.asyncContext) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  setTracingActive(true, settings.asyncContext);
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      setTracingActive(false);
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
