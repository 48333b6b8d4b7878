import * as z from 'zod';

export const nodeEnvSchema = z.enum(['development', 'test', 'production']).default('development');

export const logLevelSchema = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

export const portSchema = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

export const urlSchema = (protocols: string[]) =>
  z.url().refine((value) => protocols.includes(new URL(value).protocol.replace(/:$/, '')), {
    message: `must be a ${protocols.join(' or ')} URL`,
  });

export const envInt = (fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const booleanText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes'].includes(value));

export function envBoolean(fallback: boolean): z.ZodDefault<typeof booleanText>;
export function envBoolean(): z.ZodOptional<typeof booleanText>;
/** `true/false/1/0/yes/no`; without a fallback the value stays `undefined` when unset. */
export function envBoolean(fallback?: boolean) {
  return fallback === undefined ? booleanText.optional() : booleanText.default(fallback);
}

/** Comma-separated list, trimmed, empties dropped. */
export const envList = (fallback: string[] = []) =>
  z
    .string()
    .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
    .default(fallback);

/** What every service process needs before anything else. */
export const baseEnvSchema = z.object({
  NODE_ENV: nodeEnvSchema,
  LOG_LEVEL: logLevelSchema,
  HOST: z.string().default('127.0.0.1'),
});

export const databaseUrlSchema = urlSchema(['postgres', 'postgresql']);

/** `nats://host:port` (or `tls://`, `ws://`, `wss://`, or a bare `host:port`), one per seed server. */
const natsServerPattern = /^((nats|tls|ws|wss):\/\/)?([^\s/@]+@)?[^\s/:@]+(:\d{1,5})?$/;

/**
 * One NATS server or a comma-separated seed list of a cluster (`nats://a:4222,nats://b:4222`):
 * the client learns the rest of the cluster from whichever seed answers and fails over between them.
 * Kept as text; `natsServers()` splits it.
 */
export const natsUrlSchema = z
  .string()
  .min(1)
  .default('nats://127.0.0.1:4222')
  .refine((value) => natsServers(value).length > 0 && natsServers(value).every((server) => natsServerPattern.test(server)), {
    message: 'must be a nats:// URL or a comma-separated list of them',
  });

/** The seed servers of a `NATS_URL`, trimmed, empties dropped. */
function natsServers(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

/**
 * The messaging variables every process with events reads. `EVENT_STREAM_REPLICAS` is how many
 * cluster nodes keep each JetStream stream (1 on a single server; 3 in production, so one node can
 * fail or be drained without losing an acked event or stopping publishers).
 */
export const messagingEnv = {
  NATS_URL: natsUrlSchema,
  EVENT_STREAM_REPLICAS: envInt(1, { min: 1, max: 5 }),
};
