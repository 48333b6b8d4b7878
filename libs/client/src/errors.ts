import { ERROR_CODES, type ErrorCode } from './generated/error-codes.js';

/** One problem with the request, as the envelope lists it (`data.issues`). */
export interface Issue {
  path: string;
  message: string;
}

/** The envelope of an error answer (docs/contract.md §2). */
export interface ErrorEnvelope {
  code: string;
  message: string;
  module: string;
  data: { issues: Issue[] } | null;
  requestId: string;
}

const knownCodes = new Set<string>(Object.keys(ERROR_CODES));
const codeByStatus = new Map<number, ErrorCode>(Object.entries(ERROR_CODES).map(([code, status]) => [status, code as ErrorCode]));

/** The contract code for an answer that carries none (a proxy's HTML 502, an empty body). */
function codeForStatus(status: number): ErrorCode {
  return codeByStatus.get(status) ?? (status === 502 ? 'SERVICE_UNAVAILABLE' : status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR');
}

function isErrorEnvelope(body: unknown): body is ErrorEnvelope {
  const candidate = body as Partial<ErrorEnvelope> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.code === 'string' && typeof candidate.message === 'string';
}

/** Every error the client raises itself (a caller's own abort reason is passed on as it is). */
export class PlatformClientError extends Error {
  /** The key the call was sent with, when it had one: give it to a retry of your own so it charges once. */
  idempotencyKey?: string;

  constructor(message: string, options: { cause?: unknown; idempotencyKey?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.idempotencyKey) this.idempotencyKey = options.idempotencyKey;
  }
}

/** The platform answered with an error status. */
export class ApiError extends PlatformClientError {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: ErrorCode;
  /** What was wrong with the input (400s): `[{ path: 'password', message: '...' }]`; empty otherwise. */
  readonly issues: Issue[];
  /** The request id of the answer (envelope or `x-request-id` header): quote it when asking about a failure. */
  readonly requestId?: string;
  /** The service that answered (`gateway` for the gateway's own errors). */
  readonly module?: string;
  /** Seconds from `Retry-After` (429, 503), when sent. */
  readonly retryAfterSec?: number;
  /** The error envelope as received; undefined when the body was not one. */
  readonly envelope?: ErrorEnvelope;

  constructor(response: Response, body: unknown, idempotencyKey?: string) {
    const envelope = isErrorEnvelope(body) ? body : undefined;
    super(envelope?.message ?? `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, { idempotencyKey });
    this.status = response.status;
    this.code = envelope && knownCodes.has(envelope.code) ? (envelope.code as ErrorCode) : codeForStatus(response.status);
    this.issues = envelope?.data?.issues ?? [];
    this.requestId = envelope?.requestId ?? response.headers.get('x-request-id') ?? undefined;
    this.module = envelope?.module;
    this.envelope = envelope;
    const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
    if (Number.isFinite(retryAfter)) this.retryAfterSec = retryAfter;
  }
}

/** The call did not finish within its `timeoutMs` (retries and a token refresh included). */
export class TimeoutError extends PlatformClientError {
  override readonly name = 'TimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`The request did not finish within ${timeoutMs} ms`);
  }
}

/** No answer: the connection failed (refused, reset, DNS, offline). `cause` is fetch's error. */
export class NetworkError extends PlatformClientError {
  override readonly name = 'NetworkError';
}

/** `error` is an ApiError (with that code, if given). */
export function isApiError(error: unknown, code?: ErrorCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}
