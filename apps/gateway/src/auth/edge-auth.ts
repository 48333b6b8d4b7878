import type { FastifyRequest } from 'fastify';
import { serviceUnavailable } from '@platform/http-kit';
import type { JwksCache } from './jwks-cache.js';
import type { VerifyCache } from './verify-cache.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/** The `kid` of a token's header, if it has one (anything malformed is left to the verifier). */
function kidOf(request: FastifyRequest, token: string): string | undefined {
  try {
    const kid = request.server.jwt.decode<{ header: { kid?: unknown } }>(token, { complete: true })?.header.kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies the caller's access token at the edge with http-kit's `authenticate` (public keys
 * from the JWKS, algorithm, issuer and audience pinned), remembering verified tokens. A bad
 * token is a 401 from the gateway: the request never reaches the service, which verifies
 * again anyway (defence in depth; revocation is its call).
 * A token found in the cache (verified before, not expired) is settled at once: the function
 * returns undefined and the caller has nothing to wait for (the hot path allocates no promise).
 */
export function edgeAuthenticator(cache: VerifyCache, jwks: JwksCache) {
  async function verify(request: FastifyRequest, header: string | undefined): Promise<void> {
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    // Keys we cannot fetch (users down or starting) make a token unverifiable, not invalid: 503.
    const kid = token ? kidOf(request, token) : undefined;
    if (kid !== undefined && (await jwks.resolve(kid)) === undefined && !jwks.available) {
      throw serviceUnavailable('Cannot verify access tokens right now, retry shortly');
    }
    await request.server.authenticate(request);
    // Only a header of the strict bearer form that the verifier accepted is remembered.
    if (token) cache.set(header as string, request.user, request.raw.socket);
  }
  return function authenticateAtEdge(request: FastifyRequest): Promise<void> | undefined {
    // Looked up by the whole header (verify-cache.ts): a hit needs no bearer regex.
    const header = request.headers.authorization;
    const cached = header ? cache.get(header, request.raw.socket) : undefined;
    if (cached) {
      request.user = cached;
      return undefined;
    }
    return verify(request, header);
  };
}
