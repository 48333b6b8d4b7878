/** The code table of docs/contract.md §2: every envelope code and the one HTTP status it travels with. */
export const ERROR_CODES = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export const SUCCESS_CODE = 'SUCCESS';
export type EnvelopeCode = ErrorCode | typeof SUCCESS_CODE;

const codeByStatus = new Map<number, ErrorCode>(
  Object.entries(ERROR_CODES).map(([code, status]) => [status, code as ErrorCode]),
);

/**
 * Errors raised by Fastify or its plugins carry only a status; they still need a contract code.
 * Statuses outside the table fall back to the nearest class so the code is never invented.
 */
export function codeForStatus(status: number): ErrorCode {
  const exact = codeByStatus.get(status);
  if (exact) return exact;
  if (status === 408) return 'GATEWAY_TIMEOUT';
  if (status >= 500) return 'INTERNAL_ERROR';
  return 'VALIDATION_ERROR';
}
