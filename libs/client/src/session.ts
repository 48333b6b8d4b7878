import { PlatformClientError } from './errors.js';
import type { TokenPair } from './resources.js';
import { untilAborted } from './signals.js';

/** What the client keeps of a login. Persist it (`onSessionChange`) to survive a reload. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (epoch ms), if known: it is then refreshed shortly before. */
  expiresAt?: number;
}

/**
 * Why the session changed: `login`, `refresh` (rotated), `logout`, `set` (by `setSession`), or
 * `ended`: a refresh did not bring a new pair, so the login is over and must be made again.
 */
export type SessionChange = 'login' | 'refresh' | 'logout' | 'set' | 'ended';

export interface SessionKeeperOptions {
  initial: Session | null;
  onChange?: (session: Session | null, reason: SessionChange) => void;
  /** Presents a refresh token (POST /auth/refresh) and answers the new pair, or throws. */
  rotate: (refreshToken: string) => Promise<TokenPair>;
  /** Refresh this long before `expiresAt` (default 30 s). */
  skewMs: number;
  now?: () => number;
}

export type SessionKeeper = ReturnType<typeof createSessionKeeper>;

/**
 * The tokens of one client and their rotation. Refresh tokens rotate and the server revokes the
 * whole login when one is presented twice (reuse detection), so each one is presented at most
 * once: every caller that needs a refresh joins the one in flight, and a refresh that does not
 * come back with a new pair (401, or an answer lost to a timeout, a reset or a 5xx, when the
 * server may well have rotated it) ends the session instead of trying the same token again.
 */
export function createSessionKeeper(options: SessionKeeperOptions) {
  const now = options.now ?? Date.now;
  let current = options.initial;
  let inFlight: Promise<Session> | undefined;

  function set(session: Session | null, reason: SessionChange): void {
    current = session;
    options.onChange?.(session, reason);
  }

  /** One rotation for everyone; the session it started from is replaced only if still current. */
  function refresh(): Promise<Session> {
    if (inFlight) return inFlight;
    const from = current;
    if (!from) return Promise.reject(new PlatformClientError('No session to refresh: log in first'));
    inFlight = (async () => {
      try {
        const pair = await options.rotate(from.refreshToken);
        const next = fromTokenPair(pair, now());
        if (current === from) set(next, 'refresh');
        return next;
      } catch (error) {
        if (current === from) set(null, 'ended');
        throw error;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  return {
    current: () => current,
    set,
    refresh,
    /** Resolves once no refresh is in flight (whatever its outcome). */
    settled: async () => {
      await inFlight?.catch(() => undefined);
    },
    /** The access token to send now, refreshed first when it is about to expire. */
    async accessToken(signal: AbortSignal): Promise<string | undefined> {
      if (!current) return undefined;
      if (inFlight || (current.expiresAt !== undefined && now() >= current.expiresAt - options.skewMs)) {
        return (await untilAborted(refresh(), signal)).accessToken;
      }
      return current.accessToken;
    },
    /**
     * After a 401 for `rejected`: the token to try once more. Someone else's refresh may already
     * have replaced it; otherwise this refreshes (or joins the refresh in flight).
     */
    async renewAfter(rejected: string, signal: AbortSignal): Promise<string | undefined> {
      if (!current) return undefined;
      if (current.accessToken !== rejected) return current.accessToken;
      return (await untilAborted(refresh(), signal)).accessToken;
    },
  };
}

export function fromTokenPair(pair: TokenPair, now: number): Session {
  return { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: now + pair.expiresIn * 1000 };
}
