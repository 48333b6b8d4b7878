import * as z from 'zod';
import { isApiError, type PlatformClient } from '@platform/client';
import { AppError, envelope, errorResponses, forbidden, ok, serviceUnavailable, type HttpApp } from '@platform/http-kit';

const credentials = z.strictObject({ email: z.string().trim().min(3).max(254), password: z.string().min(1).max(128) });
const session = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int(),
  admin: z.object({ id: z.uuid(), email: z.string(), fullName: z.string() }),
});

/** The gateway's own refusal, passed on with its status and words (a 401, a 403, a 429...). */
function passOn(error: unknown): never {
  if (isApiError(error) && error.status < 500) {
    const headers = error.retryAfterSec === undefined ? undefined : { 'retry-after': error.retryAfterSec };
    throw new AppError(error.code, error.message, { issues: error.issues.length ? error.issues : undefined, headers });
  }
  throw serviceUnavailable('The platform could not be reached to log in; try again');
}

/**
 * Login goes through the platform's own auth (the gateway's POST /api/v1/auth/login): the
 * console keeps no account of its own. Only an active admin gets a session; anyone else's
 * fresh refresh token is logged out again at once, so a refused login leaves nothing behind.
 */
export function sessionRoutes(app: HttpApp, gateway: PlatformClient, timeoutMs: number): void {
  app.post(
    '/console/api/session',
    { schema: { tags: ['console'], summary: 'Log in as an admin', body: credentials, response: { 200: envelope(session), ...errorResponses(400, 401, 403, 429, 503) } } },
    async (request, reply) => {
      const login = await gateway.POST('/api/v1/auth/login', { body: request.body, timeoutMs, retry: false }).catch(passOn);
      const tokens = login.data;
      const { data: me } = await gateway
        .GET('/api/v1/users/me', { headers: { authorization: `Bearer ${tokens.accessToken}` }, timeoutMs })
        .catch(passOn);
      if (me.role !== 'admin' || !me.isActive) {
        await gateway.POST('/api/v1/auth/logout', { body: { refreshToken: tokens.refreshToken }, timeoutMs, retry: false }).catch(() => undefined);
        request.log.warn({ userId: me.id, action: 'console.login.refused' }, 'console login refused: not an admin');
        throw forbidden('Only an admin may use the console');
      }
      request.log.info({ adminId: me.id, action: 'console.login' }, 'admin logged in to the console');
      return ok(reply, { ...tokens, admin: { id: me.id, email: me.email, fullName: me.fullName } });
    },
  );

  app.post(
    '/console/api/session/logout',
    {
      schema: {
        tags: ['console'],
        summary: 'Log out: the refresh token stops working',
        body: z.strictObject({ refreshToken: z.string().min(1).max(2_000) }),
        response: { 200: envelope(z.object({ loggedOut: z.literal(true) })), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      await gateway.POST('/api/v1/auth/logout', { body: request.body, timeoutMs, retry: false }).catch(passOn);
      return ok(reply, { loggedOut: true as const });
    },
  );
}
