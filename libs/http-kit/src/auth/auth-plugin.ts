/// <reference types="@fastify/jwt" preserve="true" />
// Consumers need the @fastify/jwt augmentation (typed `request.user`) even though they never import it.
import fastifyJwt, { type TokenOrHeader } from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, internal, unauthorized } from '../errors/app-error.js';
import type { AccessClaims, Role } from './claims.js';
import { createTokenVerifier, isPromise, REQUIRED_CLAIMS, tokenFailureMessage, type KeyResolver } from './token-verifier.js';

declare module '@fastify/jwt' {
  interface FastifyJWT {
    /** What `app.jwt.sign` takes; `iat`, `exp`, `iss`, `aud` and `kid` are added by the signer. */
    payload: AccessTokenPayload;
    user: AccessClaims;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Hook verifying the bearer token; sets `request.user` or throws a 401. */
    authenticate: (request: FastifyRequest) => Promise<void>;
    /** `authenticate` with `isRevoked` instead of the app's revocation check (see `requireAuth`). */
    authenticateWith: (request: FastifyRequest, isRevoked: RevocationCheck | undefined) => Promise<void>;
  }
}

export interface AccessTokenPayload {
  sub: string;
  role: Role;
  jti: string;
}

export type PublicKeyResolver = KeyResolver;
/** `true`: refuse this (validly signed) token. */
export type RevocationCheck = (claims: AccessClaims) => Promise<boolean>;
export type JwtAlgorithm = 'EdDSA' | 'RS256';

export interface AuthOptions {
  /** PEM public keys by `kid`, or a resolver (e.g. backed by a JWKS). Never a private key. */
  publicKeys: Array<{ kid: string; pem: string }> | PublicKeyResolver;
  issuer: string;
  audience: string;
  algorithms?: JwtAlgorithm[];
  /** Checked on every request after the signature (revoked jti, deactivated user). */
  isRevoked?: RevocationCheck;
  clockToleranceMs?: number;
  /**
   * Only for the service that issues tokens (users): enables `app.jwt.sign({ sub, role, jti })`
   * with this private key. Every other service configures public keys only.
   */
  signing?: { kid: string; privateKeyPem: string; algorithm?: JwtAlgorithm; expiresInSec?: number };
}

function staticResolver(keys: Array<{ kid: string; pem: string }>): PublicKeyResolver {
  const byKid = new Map(keys.map((key) => [key.kid, key.pem]));
  // A token without `kid` is only acceptable when there is no choice to make.
  const only = keys.length === 1 ? keys[0]?.pem : undefined;
  // At once, not a promise: the token verifier then answers a remembered token without one.
  return (kid) => (kid === undefined ? only : byKid.get(kid));
}

/**
 * The token of an `Authorization: Bearer <token>` header, by @fastify/jwt's rule (the scheme in
 * any case, one space, the token, no other space): undefined without a bearer scheme (a missing
 * token), '' for a malformed one (which no verification passes).
 */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || !hasBearerScheme(header)) return undefined;
  const token = header.slice(7);
  return header.charCodeAt(6) === 32 && !token.includes(' ') ? token : '';
}

const BEARER = 'bearer';
const WHITESPACE = /\s/;

/**
 * `/^Bearer\s/i.test(header)`, without running a regex on every authenticated request: the six
 * letters in either case (`| 0x20` lowers an ASCII letter and maps no other character to one),
 * then a space, or any other whitespace as `\s` reads it.
 */
function hasBearerScheme(header: string): boolean {
  if (header.length < 7) return false;
  for (let i = 0; i < 6; i++) if ((header.charCodeAt(i) | 0x20) !== BEARER.charCodeAt(i)) return false;
  return header.charCodeAt(6) === 32 || WHITESPACE.test(header.charAt(6));
}

export async function registerAuth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const resolveKey = typeof options.publicKeys === 'function' ? options.publicKeys : staticResolver(options.publicKeys);
  const publicKey = async (_request: FastifyRequest, token: TokenOrHeader): Promise<string> => {
    const kid = 'header' in token ? token.header.kid : token.kid;
    const pem = await resolveKey(typeof kid === 'string' ? kid : undefined);
    if (!pem) throw new Error(`no public key for kid ${String(kid)}`);
    return pem;
  };
  const algorithms = options.algorithms ?? [options.signing?.algorithm ?? 'EdDSA'];
  const { signing } = options;
  await app.register(fastifyJwt, {
    secret: signing ? { private: signing.privateKeyPem, public: publicKey } : publicKey,
    sign: signing
      ? {
          algorithm: signing.algorithm ?? 'EdDSA',
          kid: signing.kid,
          iss: options.issuer,
          aud: options.audience,
          // @fastify/jwt reads numbers as seconds (and converts to fast-jwt milliseconds).
          expiresIn: signing.expiresInSec ?? 1800,
        }
      : {},
    decode: { complete: true },
    verify: {
      algorithms,
      allowedIss: options.issuer,
      allowedAud: options.audience,
      requiredClaims: REQUIRED_CLAIMS,
      clockTolerance: options.clockToleranceMs ?? 0,
      cache: true,
    },
  });

  // Requests verify through fast-jwt directly (token-verifier.ts); @fastify/jwt above stays for
  // signing, `app.jwt.decode` and the typed `request.user`, its verify options as strict as these.
  const verifyToken = createTokenVerifier({ resolveKey, algorithms, issuer: options.issuer, audience: options.audience, clockToleranceMs: options.clockToleranceMs ?? 0 });
  const authenticateWith: FastifyInstance['authenticateWith'] = async (request, isRevoked) => {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw unauthorized('Missing access token');
    let claims: AccessClaims;
    try {
      const verified = verifyToken(token);
      claims = isPromise(verified) ? await verified : verified;
    } catch (error) {
      request.log.debug({ reason: (error as Error).message }, 'access token rejected');
      throw unauthorized(tokenFailureMessage(error));
    }
    if (isRevoked && (await isRevoked(claims))) throw unauthorized('Access token revoked');
    request.user = claims;
  };
  // A hook of its own (Fastify calls hooks with the reply as second argument).
  const authenticate: FastifyInstance['authenticate'] = markGuard((request: FastifyRequest) => authenticateWith(request, options.isRevoked));
  app.decorate('authenticateWith', authenticateWith);
  app.decorate('authenticate', authenticate);
}

/** Marks hooks that need a bearer token, so OpenAPI can show the route as secured. */
export const AUTH_GUARD = Symbol.for('@platform/http-kit/auth-guard');

function markGuard<T extends object>(guard: T): T {
  Object.defineProperty(guard, AUTH_GUARD, { value: true });
  return guard;
}

export function isAuthGuard(hook: unknown): boolean {
  return typeof hook === 'function' && (hook as unknown as Record<symbol, unknown>)[AUTH_GUARD] === true;
}

const AUTHENTICATED = Promise.resolve();

/**
 * Settles once the request has a valid token (`request.user`). A promise handed on, not an async
 * function: the guards run on every authenticated request, and each async layer is one more
 * promise and microtask turns.
 */
function authenticated(request: FastifyRequest, isRevoked?: RevocationCheck): Promise<void> {
  const { authenticate, authenticateWith } = request.server as Partial<Pick<FastifyInstance, 'authenticate' | 'authenticateWith'>>;
  if (!authenticate || !authenticateWith) return Promise.reject(internal('Authentication is not configured for this service'));
  if (request.user) return AUTHENTICATED;
  return isRevoked ? authenticateWith(request, isRevoked) : authenticate(request);
}

/**
 * Route hook: any valid access token. Use as `onRequest: [requireAuth()]`. `isRevoked` replaces
 * the app's revocation check for these routes: only a check that judges as the app's does and
 * reads something the route needs in the same round trip (service-kit `staleTokenCheckAlong`).
 * The first guard of a request decides (a group's guard runs before a route's own).
 */
export function requireAuth({ isRevoked }: { isRevoked?: RevocationCheck } = {}) {
  // Not async: Fastify takes the returned promise as the hook's outcome.
  return markGuard(function authGuard(request: FastifyRequest): Promise<void> {
    return authenticated(request, isRevoked);
  });
}

/** Route hook: a valid access token whose role is one of `roles` (else 403). */
export function requireRole(...roles: Role[]) {
  return markGuard(async function roleGuard(request: FastifyRequest): Promise<void> {
    await authenticated(request);
    if (!roles.includes(request.user.role)) throw forbidden('Insufficient role');
  });
}
