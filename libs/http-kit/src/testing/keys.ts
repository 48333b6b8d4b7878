import { generateKeyPairSync, randomUUID } from 'node:crypto';

export interface TestKeyPair {
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
  algorithm: 'EdDSA' | 'RS256';
}

/** A fresh Ed25519 key pair (EdDSA, the platform default), or RSA 2048 for RS256 tests. */
export function generateTestKeyPair(algorithm: 'EdDSA' | 'RS256' = 'EdDSA'): TestKeyPair {
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const { publicKey, privateKey } =
    algorithm === 'EdDSA'
      ? generateKeyPairSync('ed25519', { publicKeyEncoding, privateKeyEncoding })
      : generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding });
  return { kid: randomUUID(), privateKeyPem: privateKey, publicKeyPem: publicKey, algorithm };
}
