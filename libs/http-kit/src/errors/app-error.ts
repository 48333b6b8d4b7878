import { ERROR_CODES, type ErrorCode } from './codes.js';

export interface Issue {
  path: string;
  message: string;
}

export interface AppErrorOptions {
  issues?: Issue[];
  /** Response headers the error needs (e.g. `Retry-After` on a 429). */
  headers?: Record<string, string | number>;
  cause?: unknown;
}

/**
 * The one error type handlers throw: its status and code go to the client verbatim, and so does
 * its message — write messages for API users, never with SQL or internals inside.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly issues?: Issue[];
  readonly headers?: Record<string, string | number>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.issues = options.issues;
    this.headers = options.headers;
  }
}

const factory =
  (code: ErrorCode, defaultMessage: string) =>
  (message: string = defaultMessage, options?: AppErrorOptions): AppError =>
    new AppError(code, message, options);

export const badRequest = factory('VALIDATION_ERROR', 'Invalid request');
export const unauthorized = factory('UNAUTHORIZED', 'Authentication required');
export const forbidden = factory('FORBIDDEN', 'Forbidden');
export const notFound = factory('NOT_FOUND', 'Not found');
export const conflict = factory('CONFLICT', 'Conflict');
export const payloadTooLarge = factory('PAYLOAD_TOO_LARGE', 'Request body is too large');
export const unsupportedMediaType = factory('UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON');
export const unprocessable = factory('UNPROCESSABLE', 'Request breaks a business rule');
export const internal = factory('INTERNAL_ERROR', 'Internal server error');
export const serviceUnavailable = factory('SERVICE_UNAVAILABLE', 'Service unavailable');
export const gatewayTimeout = factory('GATEWAY_TIMEOUT', 'Upstream service did not answer in time');

/** A dependency (database, broker) is unreachable: 503, and the client may retry in a second. */
export function dependencyUnavailable(): AppError {
  return serviceUnavailable('Service temporarily unavailable, try again shortly', { headers: { 'retry-after': 1 } });
}

/** A 400 listing what is wrong, in the same shape as schema validation failures. */
export function validationError(issues: Issue[], message = 'Request validation failed'): AppError {
  return new AppError('VALIDATION_ERROR', message, { issues });
}

export function tooManyRequests(retryAfterSeconds?: number, message = 'Too many requests'): AppError {
  const headers = retryAfterSeconds === undefined ? undefined : { 'retry-after': Math.max(0, Math.ceil(retryAfterSeconds)) };
  return new AppError('RATE_LIMITED', message, { headers });
}
