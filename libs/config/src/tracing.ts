import * as z from 'zod';
import { envInt, urlSchema } from './schemas.js';

/**
 * The standard OpenTelemetry variables the platform reads (validated here once, at boot, and
 * handed to `@platform/tracing`). Tracing is off unless `OTEL_TRACES_EXPORTER=otlp`: locally it
 * costs nothing, and a deployment opts in with the variables every OTel SDK knows.
 */
export interface TracingSettings {
  enabled: boolean;
  serviceName: string;
  /** Where spans go (OTLP over HTTP, JSON): the full `/v1/traces` URL. */
  endpoint: string;
  sampler: (typeof samplers)[number];
  /** The ratio of traceidratio samplers, 0..1. */
  sampleRatio: number;
  /** How often the batch processor sends spans. */
  exportDelayMs: number;
  /**
   * Keep the active span in AsyncLocalStorage, so whatever a handler awaits (queries, outbox
   * writes) becomes its child. A process whose spans are all linked explicitly (the gateway: its
   * server and proxy spans hang off the request) sets it false and skips the per-promise hooks
   * AsyncLocalStorage costs on Node 20.
   */
  asyncContext: boolean;
}

const samplers = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

const httpUrl = urlSchema(['http', 'https']);

export const tracingEnv = {
  OTEL_SDK_DISABLED: z.enum(['true', 'false', '']).default('false'),
  /** `otlp` sends spans; `none` (the default here, unlike the SDK's) leaves tracing off. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none', '']).default('none'),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.default('http://127.0.0.1:4318'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  OTEL_TRACES_SAMPLER: z.enum([...samplers, '']).default('parentbased_traceidratio'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  OTEL_SERVICE_NAME: z.string().default(''),
  OTEL_BSP_SCHEDULE_DELAY: envInt(5_000, { min: 1, max: 600_000 }),
};

export interface TracingEnv {
  OTEL_SDK_DISABLED: string;
  OTEL_TRACES_EXPORTER: string;
  OTEL_EXPORTER_OTLP_ENDPOINT: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_TRACES_SAMPLER: string;
  OTEL_TRACES_SAMPLER_ARG: number;
  OTEL_SERVICE_NAME: string;
  OTEL_BSP_SCHEDULE_DELAY: number;
}

/** The parsed variables in tracing's own words; the service name defaults to the process's. */
export function toTracingSettings(env: TracingEnv, service: string): TracingSettings {
  return {
    enabled: env.OTEL_SDK_DISABLED !== 'true' && env.OTEL_TRACES_EXPORTER === 'otlp',
    serviceName: env.OTEL_SERVICE_NAME || service,
    endpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`,
    sampler: (env.OTEL_TRACES_SAMPLER || 'parentbased_traceidratio') as TracingSettings['sampler'],
    sampleRatio: env.OTEL_TRACES_SAMPLER_ARG,
    exportDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
    asyncContext: true,
  };
}
