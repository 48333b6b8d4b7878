import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { toTracingSettings, tracingEnv } from '@platform/config';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { samplerFor, startTracing } from './start-tracing.js';
import { tracingActive } from './state.js';
import { traceHeaders, withSpan } from './spans.js';
import { z } from 'zod';

const schema = z.object(tracingEnv);
const settings = (env: Record<string, string>) => toTracingSettings(schema.parse(env), 'users');

describe('tracing settings from OTEL_* variables', () => {
  it('is off by default, with the service name and the local collector endpoint', () => {
    expect(settings({})).toEqual({
      enabled: false,
      serviceName: 'users',
      endpoint: 'http://127.0.0.1:4318/v1/traces',
      sampler: 'parentbased_traceidratio',
      sampleRatio: 1,
      exportDelayMs: 5_000,
      asyncContext: true,
    });
  });

  it('turns on with OTEL_TRACES_EXPORTER=otlp unless OTEL_SDK_DISABLED=true', () => {
    const on = settings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_TRACES_SAMPLER_ARG: '0.1', OTEL_SERVICE_NAME: 'users-eu' });
    expect(on).toMatchObject({ enabled: true, endpoint: 'http://collector:4318/v1/traces', sampleRatio: 0.1, serviceName: 'users-eu' });
    expect(settings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
    expect(settings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://x.example/traces' }).endpoint).toBe('https://x.example/traces');
  });

  it.each([{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, { OTEL_TRACES_SAMPLER: 'sometimes' }, { OTEL_TRACES_EXPORTER: 'zipkin' }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' }])('rejects %o at boot', (env) => {
    expect(schema.safeParse(env).success).toBe(false);
  });
});

describe('sampling', () => {
  const sampledParent = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true });
  const decide = async (ctx: typeof ROOT_CONTEXT, traceId: string) =>
    (await samplerFor({ sampler: 'parentbased_traceidratio', sampleRatio: 0 })).shouldSample(ctx, traceId, 'x', SpanKind.SERVER, {}, []).decision;

  it('follows a sampled parent and applies the ratio to new traces only', async () => {
    expect(await decide(sampledParent, '4bf92f3577b34da6a3ce929d0e0e4736')).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(await decide(ROOT_CONTEXT, 'ffffffffffffffffffffffffffffffff')).toBe(SamplingDecision.NOT_RECORD);
  });
});

describe('startTracing', () => {
  it('registers nothing when off: no span, no headers, fn runs as is', async () => {
    const tracing = await startTracing({ ...settings({}) });
    expect(tracingActive()).toBe(false);
    expect(await withSpan('x', {}, async (span) => span)).toBeUndefined();
    expect(traceHeaders()).toEqual({});
    await tracing.shutdown();
  });
});
