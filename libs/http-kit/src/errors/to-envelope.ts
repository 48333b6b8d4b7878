import type { FastifyError } from 'fastify';
import { isInfrastructureFault } from '@platform/resilience';
import { AppError, dependencyUnavailable, type Issue } from './app-error.js';
import { ERROR_CODES, codeForStatus, type ErrorCode } from './codes.js';

export interface MappedError {
  status: number;
  code: ErrorCode;
  message: string;
  issues?: Issue[];
  headers?: Record<string, string | number>;
  /** True when the cause is ours (a bug or a dependency) and deserves an error log line. */
  unexpected: boolean;
}

interface ValidationEntry {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

type MaybeFastifyError = Partial<FastifyError> & {
  validation?: ValidationEntry[];
  validationContext?: string;
};

/** `/lines/0/quantity` → `lines.0.quantity`; unknown keys get one issue each, named by key. */
export function toIssues(entries: ValidationEntry[], context?: string): Issue[] {
  return entries.flatMap((entry) => {
    const base = (entry.instancePath ?? '').split('/').filter(Boolean).join('.');
    const keys = entry.keyword === 'unrecognized_keys' ? entry.params?.keys : undefined;
    if (Array.isArray(keys) && keys.length > 0) {
      return keys.map((key) => ({ path: base ? `${base}.${String(key)}` : String(key), message: 'Unknown field' }));
    }
    return [{ path: base || context || '', message: entry.message ?? 'Invalid value' }];
  });
}

const frameworkMessages: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Request body must be JSON (Content-Type: application/json)' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'VALIDATION_ERROR', message: 'Request body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'VALIDATION_ERROR', message: 'Request body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'VALIDATION_ERROR', message: 'Content-Length does not match the body' },
};

/**
 * The single mapping from anything thrown to a contract error. Only AppError messages and
 * Fastify's own 4xx messages reach the client; everything else becomes a generic 500.
 */
export function mapError(error: unknown): MappedError {
  if (error instanceof AppError) {
    return { status: error.status, code: error.code, message: error.message, issues: error.issues, headers: error.headers, unexpected: error.status >= 500 };
  }
  const err = (error ?? {}) as MaybeFastifyError;
  if (Array.isArray(err.validation)) {
    const where = err.validationContext ?? 'request';
    return { status: 400, code: 'VALIDATION_ERROR', message: `Invalid ${where}`, issues: toIssues(err.validation, where), unexpected: false };
  }
  const known = err.code ? frameworkMessages[err.code] : undefined;
  if (known) return { status: ERROR_CODES[known.code], ...known, unexpected: false };
  // JSON.parse failures surface as SyntaxError with statusCode 400 from Fastify's parser.
  if (error instanceof SyntaxError && err.statusCode === 400) {
    return { status: 400, code: 'VALIDATION_ERROR', message: 'Request body is not valid JSON', unexpected: false };
  }
  // A database or broker that cannot be reached is an outage, not a bug: 503, and retry shortly.
  if (isInfrastructureFault(error)) return mapError(dependencyUnavailable());
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, code: codeForStatus(status), message: err.message || 'Bad request', unexpected: false };
  }
  // Plugins such as @fastify/reply-from raise 503/504 for a dead or slow upstream: keep the status.
  if (status === 503) return { status, code: 'SERVICE_UNAVAILABLE', message: 'Service unavailable', unexpected: true };
  if (status === 504) return { status, code: 'GATEWAY_TIMEOUT', message: 'Upstream service did not answer in time', unexpected: true };
  return { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error', unexpected: true };
}
