import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, NetworkError, createPlatformClient, type Session, type SessionChange } from '../src/index.js';
import { answer, startStubGateway, type SeenRequest, type StubGateway } from './stub-gateway.js';

/**
 * The users service's token rules in miniature: refresh tokens rotate, and presenting one that
 * was already used revokes the login (reuse detection). `rejectAccess` makes the gateway refuse
 * the access tokens issued so far (as after a role change), so the client must refresh.
 */
type OnRefresh = (request: SeenRequest, response: ServerResponse) => boolean | Promise<boolean>;

function authStub(options: { onRefresh?: OnRefresh } = {}) {
  const state = { issued: 0, access: new Set<string>(), refresh: new Set<string>(['r0']), used: new Set<string>(), reused: false, disabled: false };
  const issue = () => {
    state.issued += 1;
    const pair = { accessToken: `a${state.issued}`, refreshToken: `r${state.issued}`, tokenType: 'Bearer', expiresIn: 1800 };
    state.access.add(pair.accessToken);
    state.refresh.add(pair.refreshToken);
    return pair;
  };
  const handle = async (request: SeenRequest, response: ServerResponse) => {
    if (request.path === '/api/v1/auth/refresh') {
      const token = (request.body as { refreshToken: string }).refreshToken;
      if (state.used.has(token)) {
        state.reused = true;
        state.access.clear();
        state.refresh.clear();
      }
      if (!state.refresh.has(token)) return answer(response, 401, null, { code: 'UNAUTHORIZED' });
      state.refresh.delete(token);
      state.used.add(token);
      if (options.onRefresh && !(await options.onRefresh(request, response))) return;
      return answer(response, 200, issue());
    }
    if (request.path === '/api/v1/auth/logout') {
      state.refresh.delete((request.body as { refreshToken: string }).refreshToken);
      return answer(response, 200, null);
    }
    const token = request.headers.authorization?.replace(/^Bearer /, '');
    if (!token || !state.access.has(token) || state.disabled) return answer(response, 401, null, { code: 'UNAUTHORIZED' });
    return answer(response, 200, { id: 'user-1', email: 'ada@example.test', sentWith: token });
  };
  return { state, handle, rejectAccess: () => state.access.clear() };
}

describe('access-token refresh with rotating refresh tokens', () => {
  let stub: StubGateway | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });

  async function setUp(session: Session | null, onRefresh?: OnRefresh) {
    const auth = authStub({ onRefresh });
    const started = await startStubGateway(auth.handle);
    stub = started;
    const changes: Array<[Session | null, SessionChange]> = [];
    const api = createPlatformClient({ baseUrl: started.url, session, onSessionChange: (next, reason) => changes.push([next, reason]), retry: { baseDelayMs: 1 } });
    const refreshes = () => started.to('/api/v1/auth/refresh').map((request) => (request.body as { refreshToken: string }).refreshToken);
    return { api, auth, stub: started, changes, refreshes };
  }

  it('refreshes once for 20 concurrent calls refused with 401, and every call then succeeds', async () => {
    const { api, auth, changes, refreshes } = await setUp({ accessToken: 'stale', refreshToken: 'r0' });
    const results = await Promise.all(Array.from({ length: 20 }, () => api.GET('/api/v1/users/me')));
    expect(results.map((result) => (result.data as { sentWith?: string }).sentWith)).toEqual(Array(20).fill('a1'));
    expect(refreshes()).toEqual(['r0']);
    expect(changes).toEqual([[expect.objectContaining({ accessToken: 'a1', refreshToken: 'r1' }), 'refresh']]);
    expect(api.session).toMatchObject({ accessToken: 'a1', refreshToken: 'r1' });

    // A second wave later rotates the new refresh token, never the used one.
    auth.rejectAccess();
    await Promise.all(Array.from({ length: 10 }, () => api.GET('/api/v1/users/me')));
    expect(refreshes()).toEqual(['r0', 'r1']);
    expect(auth.state.reused).toBe(false);
  });

  it('refreshes before sending when the access token is about to expire, so no call is refused', async () => {
    const { api, stub, refreshes } = await setUp({ accessToken: 'a0', refreshToken: 'r0', expiresAt: Date.now() + 5_000 });
    await Promise.all(Array.from({ length: 5 }, () => api.GET('/api/v1/users/me')));
    expect(refreshes()).toEqual(['r0']);
    const calls = stub.to('/api/v1/users/me');
    expect(calls.map((request) => request.headers.authorization)).toEqual(Array(5).fill('Bearer a1'));
    expect(api.session?.expiresAt).toBeGreaterThan(Date.now() + 1_700_000);
  });

  it('ends the session when the refresh token is refused, without presenting it again', async () => {
    const { api, changes, refreshes, stub } = await setUp({ accessToken: 'stale', refreshToken: 'revoked' });
    const failures = await Promise.allSettled(Array.from({ length: 5 }, () => api.GET('/api/v1/users/me')));
    for (const failure of failures) {
      expect(failure.status).toBe('rejected');
      expect((failure as PromiseRejectedResult).reason).toBeInstanceOf(ApiError);
      expect((failure as PromiseRejectedResult).reason).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    }
    expect(refreshes()).toEqual(['revoked']);
    expect(changes).toEqual([[null, 'ended']]);
    expect(api.session).toBeNull();

    // Without a session a call goes out without a token and its 401 is the answer.
    await expect(api.GET('/api/v1/users/me')).rejects.toMatchObject({ status: 401 });
    expect(stub.to('/api/v1/users/me').at(-1)?.headers.authorization).toBeUndefined();
    expect(refreshes()).toEqual(['revoked']);
  });

  it('treats a refresh whose answer was lost as spent: the session ends and the token is never sent again', async () => {
    // The server rotates the token, then the connection drops before the answer arrives.
    const { api, auth, changes, refreshes } = await setUp({ accessToken: 'stale', refreshToken: 'r0' }, (_request, response) => {
      response.socket?.destroy();
      return false;
    });
    const error = await api.GET('/api/v1/users/me').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(changes).toEqual([[null, 'ended']]);
    await expect(api.refresh()).rejects.toThrow(/log in first/);
    await expect(api.GET('/api/v1/users/me')).rejects.toMatchObject({ status: 401 });
    expect(refreshes()).toEqual(['r0']);
    expect(auth.state.reused).toBe(false);
  });

  it('does not refresh twice for one call whose replay is refused again', async () => {
    const { api, auth, refreshes, stub } = await setUp({ accessToken: 'stale', refreshToken: 'r0' }, () => {
      // The new access token is refused as well (say, the account was disabled meanwhile).
      auth.state.disabled = true;
      return true;
    });
    await expect(api.GET('/api/v1/users/me')).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(refreshes()).toEqual(['r0']);
    expect(stub.to('/api/v1/users/me').map((request) => request.headers.authorization)).toEqual(['Bearer stale', 'Bearer a1']);
  });

  it('logs out with the rotated refresh token when a refresh is in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { api, stub, changes } = await setUp({ accessToken: 'stale', refreshToken: 'r0' }, async () => {
      await gate;
      return true;
    });
    const call = api.GET('/api/v1/users/me');
    await expect.poll(() => stub.to('/api/v1/auth/refresh').length).toBe(1);
    const logout = api.logout();
    release();
    await Promise.all([call, logout]);
    expect(stub.to('/api/v1/auth/logout').map((request) => request.body)).toEqual([{ refreshToken: 'r1' }]);
    expect(changes.map(([, reason]) => reason)).toEqual(['refresh', 'logout']);
    expect(api.session).toBeNull();
  });

  it('lets a caller stop waiting for a refresh, which still completes for everyone else', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { api, stub } = await setUp({ accessToken: 'stale', refreshToken: 'r0' }, async () => {
      await gate;
      return true;
    });
    const controller = new AbortController();
    const patient = api.GET('/api/v1/users/me');
    const impatient = api.GET('/api/v1/users/me', { signal: controller.signal });
    await expect.poll(() => stub.to('/api/v1/auth/refresh').length).toBe(1);
    controller.abort(new Error('user navigated away'));
    await expect(impatient).rejects.toThrow('user navigated away');
    release();
    await expect(patient).resolves.toMatchObject({ data: { sentWith: 'a1' } });
    expect(api.session?.refreshToken).toBe('r1');
  });

  it('sends no token to public operations and does not refresh on their 401', async () => {
    const stub401 = await startStubGateway((_request, response) => answer(response, 401, null, { code: 'UNAUTHORIZED' }));
    try {
      const api = createPlatformClient({ baseUrl: stub401.url, session: { accessToken: 'a0', refreshToken: 'r0' } });
      await expect(api.login({ email: 'ada@example.test', password: 'wrong' })).rejects.toMatchObject({ status: 401 });
      expect(stub401.seen.map((request) => [request.path, request.headers.authorization])).toEqual([['/api/v1/auth/login', undefined]]);
    } finally {
      await stub401.close();
    }
  });
});
