import { context, propagation, trace } from '@opentelemetry/api';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TracingSettings } from '@platform/config';
import { setTracingActive } from './state.js';

export interface Tracing {
  /** Sends what is still buffered; resolves once the exporter answered (or gave up). */
  flush(): Promise<void>;
  /** Flushes, then unregisters the provider (tracing is off again in this process). */
  shutdown(): Promise<void>;
}

const off: Tracing = { flush: async () => undefined, shutdown: async () => undefined };

/**
 * The SDK (provider, sampler, context manager, OTLP exporter) is imported only when tracing is
 * on: with tracing off (the default) none of it is needed, and loading it cost every service
 * ~600 CommonJS modules (the exporter pulls in the metrics and logs SDKs too) — about a third of
 * its boot CPU and of its heap (docs/benchmarks.md, "Issue 12 (round 3): footprint"). These are
 * dynamic imports of the packages themselves: the app bundles hoist a static import to the top
 * of main.js whatever function uses it.
 */
async function loadSdk() {
  const [sdk, core, resources, semconv] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  return { sdk, core, resources, semconv };
}

async function otlpProcessor(sdk: typeof import('@opentelemetry/sdk-trace-base'), settings: TracingSettings): Promise<SpanProcessor> {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: settings.endpoint, timeoutMillis: 5_000 }), {
    scheduledDelayMillis: settings.exportDelayMs,
    // A collector that is down must never grow the heap without bound: spans past this are dropped.
    maxQueueSize: 2_048,
  });
}

export async function samplerFor(settings: Pick<TracingSettings, 'sampler' | 'sampleRatio'>): Promise<Sampler> {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = await import('@opentelemetry/sdk-trace-base');
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
 * `settings.enabled` false nothing is loaded nor registered and the returned handle does nothing.
 * `spanProcessor` replaces the exporter (tests pass an in-memory one).
 */
export async function startTracing(settings: TracingSettings, spanProcessor?: SpanProcessor): Promise<Tracing> {
  if (!settings.enabled && !spanProcessor) return off;
  const { sdk, core, resources, semconv } = await loadSdk();
  const processor = spanProcessor ?? (await otlpProcessor(sdk, settings));
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: settings.serviceName }),
    sampler: await samplerFor(settings),
    spanProcessors: [processor],
  });
  if (settings.asyncContext) {
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
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
