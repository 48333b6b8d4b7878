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

/** Query parameters named like a credential (`access_token`, `api_key`, `password`, `sig`...). */
const SECRET_PARAM = /token|passw|secret|signature|credential|session|jwt|api[-_]?key|^key$|^sig$|^code$|^auth/i;
/** A JWT (three base64url parts, the first one a JSON header) anywhere in a URL. */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const REDACTED = '[redacted]';

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * A URL fit for a log line: values of query parameters named like a secret are replaced, and so
 * is anything shaped like a JWT, wherever it sits (a token pasted into a path or another
 * parameter). Clients should never put tokens in URLs; when one does, the log must not keep it.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  const path = (query === -1 ? url : url.slice(0, query)).replace(JWT_LIKE, REDACTED);
  if (query === -1) return path;
  const params = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      if (eq !== -1 && SECRET_PARAM.test(decodedName(name))) return `${name}=${REDACTED}`;
      return pair.replace(JWT_LIKE, REDACTED);
    });
  return `${path}?${params.join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: unknown;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remoteAddress?: string; remotePort?: number };
}

/**
 * Fastify's request serializer (the same fields), with the URL redacted: every "incoming
 * request" line carries the URL, query string included.
 */
function serializeRequest(req: LoggedRequest) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  };
}

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
    redact: { paths: redactPaths, censor: REDACTED },
    serializers: { req: serializeRequest },
    formatters: { level: (label) => ({ level: label }) },
  };
  const usePretty = pretty ?? (process.stdout.isTTY === true && process.env.NODE_ENV !== 'production');
  if (destination) return pino(options, destination);
  if (usePretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino(options);
}
