import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** Fastify logs the request id under this key, so every line of a request carries `requestId`. */
export const requestIdLogLabel = 'requestId';

const secretKeys = [
  'password',
  'currentPassword',
  'newPassword',
  'passwordHash',
  'hash',
  'token',
  'accessToken',
  'refreshToken',
  'idempotencyKey',
  'secret',
  'privateKey',
  'apiKey',
];

/**
 * pino's redaction is path based, so secrets are listed at the top level and one or two levels
 * down (`body.password`, `data.user.password`); deeper nesting in log objects is a smell anyway.
 */
export const redactPaths: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

export interface CreateLoggerOptions {
  service: string;
  level?: string;
  /** Human-friendly output; defaults to "stdout is a terminal" outside production. */
  pretty?: boolean;
  /** Where lines go (tests capture them); stdout by default. */
  destination?: DestinationStream;
}

export function createLogger({ service, level = 'info', pretty, destination }: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  const usePretty = pretty ?? (process.stdout.isTTY === true && process.env.NODE_ENV !== 'production');
  if (destination) return pino(options, destination);
  if (usePretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino(options);
}
