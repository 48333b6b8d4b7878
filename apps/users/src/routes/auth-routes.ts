import { createPublicKey } from 'node:crypto';
import { conflict, created, envelope, errorResponses, forbidden, ok, unauthorized, type HttpApp } from '@platform/http-kit';
import { z } from 'zod';
import { userRepository } from '../data/user-repository.js';
import { passwordSchema, presentedPasswordSchema } from '../domain/password-policy.js';
import { noNul } from '../domain/text.js';
import { emailSchema, fullNameSchema } from '../domain/user-input.js';
import { userEvents } from '../events/user-events.js';
import type { UsersDeps } from './deps.js';
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

// Same answer for an unknown e-mail and a wrong password, so neither reveals which it was.
const BAD_CREDENTIALS = 'Invalid e-mail or password';

export function registerAuthRoutes(app: HttpApp, deps: UsersDeps): void {
  const { db, hasher, loginGuard, sessions } = deps;

  app.post('/api/v1/auth/register', {
    schema: { tags: ['auth'], summary: 'Create an account', body: RegisterBody, response: { 201: envelope(userSchema), ...errorResponses(400, 409) } },
  }, async (request, reply) => {
    const { email, password, fullName } = request.body;
    const passwordHash = await hasher.hash(password);
    const user = await db.transaction(async (tx) => {
      const inserted = await userRepository(tx).insert({ email, passwordHash, fullName });
      if (inserted) await userEvents.registered(tx, inserted, request.id);
      return inserted;
    });
    if (!user) throw conflict('E-mail is already registered');
    return created(reply, toUserDto(user), 'Registered');
  });

  app.post('/api/v1/auth/login', {
    schema: { tags: ['auth'], summary: 'Exchange credentials for a token pair', body: LoginBody, response: { 200: envelope(TokenPairSchema), ...errorResponses(400, 401, 403, 429) } },
  }, async (request, reply) => {
    const { email, password } = request.body;
    // Counted as a failure before the password is checked; given back only if it is right.
    const attempt = await loginGuard.reserve(email, request.ip);
    const user = await userRepository(db).findByEmail(email);
    if (!(await hasher.verify(user?.passwordHash, password)) || !user) throw unauthorized(BAD_CREDENTIALS);
    await attempt.release();
    // Only now, with the password proven, may the caller learn the account is disabled.
    if (!user.isActive) throw forbidden('Account is disabled');
    await loginGuard.resetEmail(email);
    const pair = await db.transaction(async (tx) => {
      // A login is not an edit of the user: `updatedAt` keeps its value.
      const current = (await userRepository(tx).update(user.id, { lastLoginAt: new Date(), updatedAt: user.updatedAt })) ?? user;
      await userEvents.loggedIn(tx, user.id, request.id);
      return sessions.start(tx, current);
    });
    return ok(reply, pair, 'Logged in');
  });

  app.post('/api/v1/auth/refresh', {
    schema: { tags: ['auth'], summary: 'Rotate a refresh token into a new pair', body: RefreshBody, response: { 200: envelope(TokenPairSchema), ...errorResponses(400, 401) } },
  }, async (request, reply) => ok(reply, await sessions.rotate(request.body.refreshToken), 'Token refreshed'));

  app.post('/api/v1/auth/logout', {
    schema: { tags: ['auth'], summary: 'End the login of a refresh token', body: RefreshBody, response: { 200: envelope(z.null()), ...errorResponses(400) } },
  }, async (request, reply) => {
    await sessions.end(request.body.refreshToken);
    return ok(reply, null, 'Logged out');
  });

  // A JWK Set (RFC 7517), not an envelope: verifiers (the gateway) read it as the standard says.
  const jwks = {
    keys: deps.verificationKeys.map(({ kid, pem }) => {
      const jwk = createPublicKey(pem).export({ format: 'jwk' }) as { kty: string } & Record<string, string>;
      return { ...jwk, kid, alg: jwk.kty === 'RSA' ? 'RS256' : 'EdDSA', use: 'sig' as const };
    }),
  };
  app.get('/api/v1/auth/jwks.json', {
    schema: { tags: ['auth'], summary: 'Public keys that verify access tokens (JWK Set)', response: { 200: JwkSet } },
  }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return jwks;
  });
}
