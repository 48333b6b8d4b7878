import { createHash, createPublicKey } from 'node:crypto';

/**
 * The `kid` of a public key is its RFC 7638 JWK thumbprint: the signer and every verifier
 * derive the same id from the key itself, so nothing has to be configured twice.
 */
export function keyId(publicKeyPem: string): string {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' }) as Record<string, string>;
  const members =
    jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}
