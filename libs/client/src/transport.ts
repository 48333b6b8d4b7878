import { NetworkError } from './errors.js';
import { isRetryableStatus, mayRepeat, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import type { SessionKeeper } from './session.js';
import { sleep } from './signals.js';

export type FetchLike = (input: Request) => Promise<Response>;

/** What one call knows before its first attempt. */
export interface CallContext {
  /** `METHOD /path/{param}`, for messages. */
  operation: string;
  /** Send the session's access token (and refresh it once on a 401). */
  authenticate: boolean;
  /** The call's signal: the caller's abort and the call's deadline. */
  signal: AbortSignal;
  retry: RetryPolicy;
  /** Sent on every attempt, so that a repeat is answered with the first result. */
  idempotencyKey?: string;
  requestId?: string;
  /**
   * The request on the wire, held until the call is over (its body read included): Node's fetch
   * links a Request to its signal through a WeakRef, so an unreferenced Request can be collected
   * and its abort lost (nodejs/node#55428, nodejs/undici#4068), leaving a timed-out call hanging.
   */
  outgoing?: Request;
}

export interface TransportOptions {
  fetch: FetchLike;
  session: SessionKeeper;
  random?: () => number;
}

const discard = (response: Response) => response.body?.cancel().catch(() => undefined);

/**
 * The `fetch` openapi-fetch calls for one call: every attempt is a new Request with the current
 * access token. A 401 to a token we sent is renewed once (one refresh for all concurrent
 * callers) and tried again; 503, 504 and failed connections are retried with backoff, but only
 * for a request that may arrive twice (see `mayRepeat`).
 */
export function transportFor(options: TransportOptions, context: CallContext): FetchLike {
  const { session, random } = options;
  const { signal, retry } = context;
  return async (request) => {
    const body = request.body === null ? undefined : await request.arrayBuffer();
    const headers = new Headers(request.headers);
    if (context.idempotencyKey) headers.set('idempotency-key', context.idempotencyKey);
    if (context.requestId) headers.set('x-request-id', context.requestId);
    // A caller that sets Authorization itself manages its own token.
    const authenticate = context.authenticate && !headers.has('authorization');
    const repeatable = mayRepeat(request.method, headers);
    let token = authenticate ? await session.accessToken(signal) : undefined;
    let renewed = false;

    for (let attempt = 1; ; attempt += 1) {
      if (token) headers.set('authorization', `Bearer ${token}`);
      let response: Response;
      try {
        const init: RequestInit = { method: request.method, headers, body, signal, redirect: request.redirect, credentials: request.credentials };
        context.outgoing = new Request(request.url, init);
        response = await options.fetch(context.outgoing);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (repeatable && attempt < retry.attempts) {
          await sleep(retryDelayMs(retry, attempt, null, random), signal);
          continue;
        }
        throw new NetworkError(`${context.operation}: no answer (${(error as Error).message})`, { cause: error, idempotencyKey: context.idempotencyKey });
      }

      if (response.status === 401 && token && !renewed) {
        const next = await session.renewAfter(token, signal).catch(async (error: unknown) => {
          await discard(response);
          throw error;
        });
        if (next) {
          await discard(response);
          token = next;
          renewed = true;
          attempt -= 1; // the replay after a refresh is not a retry
          continue;
        }
      }
      if (isRetryableStatus(response.status) && repeatable && attempt < retry.attempts) {
        const delay = retryDelayMs(retry, attempt, response.headers.get('retry-after'), random);
        await discard(response);
        await sleep(delay, signal);
        continue;
      }
      return response;
    }
  };
}
