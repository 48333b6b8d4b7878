import createClient, { type Client, type ClientPathsWithMethod, type HeadersOptions, type MaybeOptionalInit, type MethodResponse } from 'openapi-fetch';
import { ApiError, PlatformClientError } from './errors.js';
import { idempotencyKeyOperations, publicOperations } from './generated/operations.js';
import type { paths } from './generated/schema.js';
import { randomUuid } from './ids.js';
import { retryPolicy, type RetryOptions } from './retry-policy.js';
import { createSessionKeeper, fromTokenPair, type Session, type SessionChange } from './session.js';
import { callSignal } from './signals.js';
import { transportFor, type CallContext, type FetchLike } from './transport.js';

type RawClient = Client<paths, 'application/json'>;
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';
/** Every path template that has `method`. */
export type PathsWith<M extends HttpMethod> = ClientPathsWithMethod<RawClient, M>;
/** The success envelope an operation answers (`{ code: 'SUCCESS', message, module, data, requestId }`, plus `meta` on lists). */
export type SuccessOf<M extends HttpMethod, P extends PathsWith<M>> = MethodResponse<RawClient, M, P>;
/** The JSON body an operation takes. */
export type BodyOf<M extends HttpMethod, P extends PathsWith<M>> = NonNullable<MaybeOptionalInit<paths[P], M>>['body'];

/** Per-call options, beside openapi-fetch's own (`params`, `body`, `headers`). */
export interface CallOptions {
  /** The whole call, retries and a token refresh included (default: the client's, 15 s). `Infinity`: none. */
  timeoutMs?: number;
  /** Abort the call; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** This call's retries on 503 / 504 (only ever for requests that may arrive twice); `false`: none. */
  retry?: RetryOptions | false;
  /** Sent as `x-request-id` on every attempt; the platform logs and its events carry it. */
  requestId?: string;
  /** For operations that take one (payments): defaults to a new UUID per call, the same for its retries. */
  idempotencyKey?: string;
}

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type Args<Init> = RequiredKeys<Init> extends never ? [init?: Init & CallOptions] : [init: Init & CallOptions];
type CallMethod<M extends HttpMethod> = <P extends PathsWith<M>, Init extends MaybeOptionalInit<paths[P], M>>(path: P, ...init: Args<Init>) => Promise<SuccessOf<M, P>>;

export interface PlatformClientOptions {
  /** The gateway, e.g. `https://api.example.com` (paths start at `/api/v1`). */
  baseUrl: string;
  /** A session saved earlier (see `onSessionChange`). */
  session?: Session | null;
  /** Called with the new session after login, every refresh, logout and when a session ends: persist it here. */
  onSessionChange?: (session: Session | null, reason: SessionChange) => void;
  /** Default for every call (15 s). */
  timeoutMs?: number;
  /** Default retries (3 attempts, backoff from 250 ms up to 4 s); `false`: none. */
  retry?: RetryOptions | false;
  /** Headers for every call (e.g. a client name). */
  headers?: HeadersOptions;
  /** Refresh an access token this long before it expires (30 s). */
  refreshSkewMs?: number;
  /** A fetch of your own (instrumented, or a test's); default: the global one. */
  fetch?: FetchLike;
}

export interface PlatformClient {
  GET: CallMethod<'get'>;
  POST: CallMethod<'post'>;
  PUT: CallMethod<'put'>;
  PATCH: CallMethod<'patch'>;
  DELETE: CallMethod<'delete'>;
  /** Signs in and keeps the token pair; later calls send the access token and refresh it when needed. */
  login(credentials: BodyOf<'post', '/api/v1/auth/login'>, options?: CallOptions): Promise<SuccessOf<'post', '/api/v1/auth/login'>>;
  /** Ends the login on the server (its refresh token stops working) and forgets the session. */
  logout(options?: CallOptions): Promise<void>;
  /** Rotates the token pair now (joining a rotation already in flight). */
  refresh(): Promise<Session>;
  readonly session: Session | null;
  setSession(session: Session | null): void;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * A typed client of the gateway. Calls resolve with the success envelope and throw an
 * `ApiError` (status, code, issues, requestId) for an error answer, a `TimeoutError` past
 * `timeoutMs`, a `NetworkError` without an answer, or the signal's reason when aborted.
 */
export function createPlatformClient(options: PlatformClientOptions): PlatformClient {
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const defaultRetry = retryPolicy(options.retry);
  const raw = createClient<paths>({ baseUrl: options.baseUrl, headers: options.headers });
  const fetch: FetchLike = options.fetch ?? ((input) => globalThis.fetch(input));

  const session = createSessionKeeper({
    initial: options.session ?? null,
    onChange: options.onSessionChange,
    skewMs: options.refreshSkewMs ?? 30_000,
    // Public and never retried (a POST without a key): the token is presented exactly once.
    rotate: async (refreshToken) => ((await call('post', '/api/v1/auth/refresh', { body: { refreshToken } })) as SuccessOf<'post', '/api/v1/auth/refresh'>).data,
  });

  async function call(method: HttpMethod, path: string, init: CallOptions & Record<string, unknown> = {}): Promise<unknown> {
    const { timeoutMs = defaultTimeoutMs, signal, retry, requestId, idempotencyKey, ...rest } = init;
    const operation = `${method.toUpperCase()} ${path}`;
    const deadline = callSignal(signal, timeoutMs);
    const context: CallContext = {
      operation,
      authenticate: !publicOperations.has(operation),
      signal: deadline.signal,
      retry: retry === undefined ? defaultRetry : retryPolicy(retry, defaultRetry),
      idempotencyKey: idempotencyKey ?? (idempotencyKeyOperations.has(operation) ? headerValue(rest, 'idempotency-key') ?? randomUuid() : undefined),
      requestId,
    };
    try {
      const result = await (raw.request as (m: string, p: string, i: unknown) => ReturnType<RawClient['GET']>)(method, path, { ...rest, fetch: transportFor({ fetch, session }, context) });
      if (!result.response.ok) throw new ApiError(result.response, result.error, context.idempotencyKey);
      return result.data;
    } catch (error) {
      if (error instanceof PlatformClientError && context.idempotencyKey) error.idempotencyKey ??= context.idempotencyKey;
      throw error;
    } finally {
      deadline.dispose();
      context.outgoing = undefined;
    }
  }

  const method =
    <M extends HttpMethod>(name: M): CallMethod<M> =>
    <P extends PathsWith<M>>(path: P, ...init: unknown[]) =>
      call(name, path as string, init[0] as CallOptions & Record<string, unknown>) as Promise<SuccessOf<M, P>>;

  return {
    GET: method('get'),
    POST: method('post'),
    PUT: method('put'),
    PATCH: method('patch'),
    DELETE: method('delete'),
    async login(credentials, callOptions) {
      const envelope = (await call('post', '/api/v1/auth/login', { ...callOptions, body: credentials })) as SuccessOf<'post', '/api/v1/auth/login'>;
      session.set(fromTokenPair(envelope.data, Date.now()), 'login');
      return envelope;
    },
    async logout(callOptions) {
      // A rotation in flight is presenting the current refresh token: log out with its successor.
      await session.settled();
      const current = session.current();
      if (!current) return;
      session.set(null, 'logout');
      await call('post', '/api/v1/auth/logout', { ...callOptions, body: { refreshToken: current.refreshToken } });
    },
    refresh: () => session.refresh(),
    get session() {
      return session.current();
    },
    setSession: (next) => session.set(next, 'set'),
  };
}

/** A header the caller gave through openapi-fetch's `params.header` or `headers`. */
function headerValue(init: Record<string, unknown>, name: string): string | undefined {
  const fromParams = (init.params as { header?: Record<string, unknown> } | undefined)?.header?.[name];
  if (typeof fromParams === 'string') return fromParams;
  const headers = init.headers;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entries = Array.isArray(headers) ? headers : Object.entries((headers ?? {}) as Record<string, unknown>);
  const found = entries.find(([key]) => String(key).toLowerCase() === name)?.[1];
  return typeof found === 'string' ? found : undefined;
}
