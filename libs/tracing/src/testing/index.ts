import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../start-tracing.js';

export type { ReadableSpan };

export interface TestTracing extends Tracing {
  exporter: InMemorySpanExporter;
  /** Finished spans so far. */
  spans(): ReadableSpan[];
  /** Waits (bounded) until a finished span satisfies `predicate`; throws naming what was seen. */
  waitForSpan(predicate: (span: ReadableSpan) => boolean, timeoutMs?: number): Promise<ReadableSpan>;
}

/**
 * Tracing on in this process, every span sampled and kept in memory (exported as it ends), so a
 * test can assert names and parent/child links. `shutdown()` turns tracing off again.
 */
export async function startTestTracing(serviceName = 'test'): Promise<TestTracing> {
  const exporter = new InMemorySpanExporter();
  const tracing = await startTracing(
    { enabled: true, serviceName, endpoint: 'http://127.0.0.1:1/v1/traces', sampler: 'always_on', sampleRatio: 1, exportDelayMs: 1, asyncContext: true },
    new SimpleSpanProcessor(exporter),
  );
  const spans = () => exporter.getFinishedSpans();
  return {
    ...tracing,
    exporter,
    spans,
    async waitForSpan(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = spans().find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such span within ${timeoutMs} ms; seen: ${spans().map((s) => s.name).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

/** The parent span id of `span` (SDK 2 keeps it in `parentSpanContext`). */
export function parentIdOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
