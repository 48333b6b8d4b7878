import { created, envelope, errorResponses, ok, type RouteRegistrar } from '@platform/http-kit';
import * as z from 'zod';
import type { UsersDeps } from '../deps.js';
import { toJwks } from '../domain/jwks.js';
import { passwordSchema, presentedPasswordSchema } from '../domain/password-policy.js';
import { noNul } from '../domain/text.js';
import { emailSchema, fullNameSchema } from '../domain/user-input.js';
import { login } from '../use-cases/login.js';
import { logout } from '../use-cases/logout.js';
import { refreshSession } from '../use-cases/refresh-session.js';
import { register } from '../use-cases/register.js';
import { toUserDto, userSchema } from './user-dto.js';

const RegisterBody = z.strictObject({ email: emailSchema, password: passwordSchema, fullName: fullNameSchema });
const LoginBody = z.strictObject({ email: emailSchema, password: presentedPasswordSchema });
const RefreshBody = z.strictObject({ refreshToken: noNul(z.string()).min(1).max(512) });
const TokenPairSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
});
const JwkSet = z.object({
  keys: z.array(z.object({ kty: z.string(), crv: z.string().optional(), x: z.string().optional(), n: z.string().optional(), e: z.string().optional(), kid: z.string(), alg: z.string(), use: z.literal('sig') })),
});

/** `/api/v1/auth` (public): register, login, refresh, logout, the JWKS. */
export const authRoutes: RouteRegistrar<UsersDeps> = (app, deps) => {
  app.post('/register', {
    schema: { summary: 'Create an account', body: RegisterBody, response: { 201: envelope(userSchema), ...errorResponses(400, 409) } },
  }, async (request, reply) => created(reply, toUserDto(await register(deps, request.body, request.id)), 'Registered'));

  app.post('/login', {
    schema: { summary: 'Exchange credentials for a token pair', body: LoginBody, response: { 200: envelope(TokenPairSchema), ...errorResponses(400, 401, 403, 429) } },
  }, async (request, reply) => ok(reply, await login(deps, request.body, request.ip, request.id), 'Logged in'));

  app.post('/refresh', {
    schema: { summary: 'Rotate a refresh token into a new pair', body: RefreshBody, response: { 200: envelope(TokenPairSchema), ...errorResponses(400, 401) } },
  }, async (request, reply) => ok(reply, await refreshSession(deps, request.body.refreshToken), 'Token refreshed'));

  app.post('/logout', {
    schema: { summary: 'End the login of a refresh token', body: RefreshBody, response: { 200: envelope(z.null()), ...errorResponses(400) } },
  }, async (request, reply) => {
    await logout(deps, request.body.refreshToken);
    return ok(reply, null, 'Logged out');
  });

  // A JWK Set (RFC 7517), not an envelope: verifiers (the gateway) read it as the standard says.
  const jwks = toJwks(deps.verificationKeys);
  app.get('/jwks.json', {
    schema: { summary: 'Public keys that verify access tokens (JWK Set)', response: { 200: JwkSet } },
  }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return jwks;
  });
};
