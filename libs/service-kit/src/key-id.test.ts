import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyId } from './key-id.js';

describe('keyId', () => {
  it('is the RFC 7638 thumbprint (RFC 8037 appendix A.3 vector)', () => {
    const pem = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
      format: 'jwk',
    }).export({ type: 'spki', format: 'pem' }) as string;
    expect(keyId(pem)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('differs between keys and is stable for one key', () => {
    const pem = () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const a = pem();
    expect(keyId(a)).toBe(keyId(a));
    expect(keyId(a)).not.toBe(keyId(pem()));
  });
});
