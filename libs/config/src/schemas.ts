import { z } from 'zod';

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
export const natsUrlSchema = z.string().min(1).default('nats://127.0.0.1:4222');
