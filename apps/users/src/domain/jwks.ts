import { createPublicKey } from 'node:crypto';

/** A JWK Set (RFC 7517 §5) of the public keys that verify this service's access tokens. */
export function toJwks(keys: Array<{ kid: string; pem: string }>) {
  return {
    keys: keys.map(({ kid, pem }) => {
      const jwk = createPublicKey(pem).export({ format: 'jwk' }) as { kty: string } & Record<string, string>;
      return { ...jwk, kid, alg: jwk.kty === 'RSA' ? 'RS256' : 'EdDSA', use: 'sig' as const };
    }),
  };
}
