/**
 * What counts as "a dependency is unreachable" rather than "this request or message is wrong".
 * One list for the whole platform: http-kit answers these with 503, consumers hold the message
 * instead of spending its attempts, the mail sender keeps retrying the bookkeeping of a sent e-mail.
 * Recognised by error codes and names only, so no driver needs to be imported here.
 */

/** Socket-level failures (Node's `code`): the peer refused, vanished or cannot be resolved. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** postgres.js' own connection errors (`err.code`). */
const postgresClientCodes = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);

/**
 * SQLSTATEs of a server that is going away, starting up or out of connections:
 * class 08 (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown,
 * 57P03 cannot_connect_now ("the database system is starting up"), 53300 too_many_connections.
 */
function isUnavailableSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** NATS client errors (`err.name`) raised when the server cannot be reached or JetStream is not answering. */
const natsErrorNames = new Set(['ConnectionError', 'ClosedConnectionError', 'DrainingConnectionError', 'NoResponders', 'JetStreamNotEnabled']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
}

/** The code or name that made `error` an infrastructure fault, or undefined. Looks through `cause` chains (drizzle wraps driver errors). */
export function infrastructureFaultCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const e = current as ErrorLike;
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (networkCodes.has(code) || postgresClientCodes.has(code))) return code;
    if (code && e.name === 'PostgresError' && isUnavailableSqlState(code)) return code;
    if (typeof e.name === 'string' && natsErrorNames.has(e.name)) return e.name;
    // AggregateError (e.g. a connect to several addresses that all failed).
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      const inner = errors.map(infrastructureFaultCode).find(Boolean);
      if (inner) return inner;
    }
    current = e.cause;
  }
  return undefined;
}

/** True when `error` says a database or broker is unreachable (never for a bug or bad input). */
export function isInfrastructureFault(error: unknown): boolean {
  return infrastructureFaultCode(error) !== undefined;
}
