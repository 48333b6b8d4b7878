import type { FastifyRequest } from 'fastify';
import { isApiError, type PlatformClient } from '@platform/client';
import { forbidden, requireRole, serviceUnavailable, unauthorized } from '@platform/http-kit';

interface CurrentState {
  ok: boolean;
  reason?: 'role' | 'inactive' | 'refused';
  until: number;
}

/**
 * Route hook for everything under /console/api: a valid access token (signature, issuer,
 * audience, expiry: http-kit's verification) whose role claim is admin, AND whose user is an
 * active admin right now. The second check asks users itself (`GET /users/me` through the
 * gateway, with the caller's own token): a token outlives a demotion or a deactivation by up to
 * its 30 minutes, and the console can re-drive events and read every delivery, so it must not
 * trust the claim alone. The answer is kept `cacheMs` per token (a page polls several endpoints
 * every few seconds; users need not answer each of them), so a change is seen within that.
 */
export function adminGuard(gateway: PlatformClient, cacheMs: number, timeoutMs: number) {
  const roleGuard = requireRole('admin');
  const cache = new Map<string, CurrentState>();

  async function currentState(token: string, jti: string): Promise<CurrentState> {
    const cached = cache.get(jti);
    if (cached && cached.until > Date.now()) return cached;
    let state: CurrentState;
    try {
      const { data: me } = await gateway.GET('/api/v1/users/me', {
        headers: { authorization: `Bearer ${token}` },
        timeoutMs,
        retry: false,
      });
      state = me.role !== 'admin' ? { ok: false, reason: 'role', until: 0 } : !me.isActive ? { ok: false, reason: 'inactive', until: 0 } : { ok: true, until: 0 };
    } catch (error) {
      if (isApiError(error) && (error.status === 401 || error.status === 403)) state = { ok: false, reason: 'refused', until: 0 };
      else throw serviceUnavailable('The users service could not confirm the admin role; try again');
    }
    state.until = Date.now() + cacheMs;
    if (cache.size > 1_000) cache.clear();
    cache.set(jti, state);
    return state;
  }

  return async function consoleAdmin(request: FastifyRequest): Promise<void> {
    await roleGuard(request);
    const token = request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
    const state = await currentState(token, request.user.jti);
    if (state.reason === 'refused') throw unauthorized('Access token no longer accepted; log in again');
    if (!state.ok) throw forbidden('Only an active admin may use the console');
  };
}
