/** The console API from the browser: the admin's access token on every call, errors in words. */
export interface AdminSession {
  accessToken: string;
  refreshToken: string;
  admin: { id: string; email: string; fullName: string };
}

const KEY = 'platform-console-session';

export function loadSession(): AdminSession | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as AdminSession) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: AdminSession | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

export class ApiFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

let onUnauthorized: (message: string) => void = () => undefined;
export function whenUnauthorized(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string | null } = {}): Promise<T> {
  const token = init.token === undefined ? loadSession()?.accessToken : init.token;
  let response: Response;
  try {
    response = await fetch(`/console/api${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiFailure('The console server cannot be reached. Is it running?', 0);
  }
  const body = (await response.json().catch(() => null)) as { data?: T; message?: string; requestId?: string } | null;
  if (!response.ok) {
    const words = body?.message ?? `The console answered ${response.status}`;
    if (response.status === 401 && token) onUnauthorized(words);
    throw new ApiFailure(`${words}${body?.requestId ? ` (request ${body.requestId})` : ''}`, response.status);
  }
  return body?.data as T;
}
