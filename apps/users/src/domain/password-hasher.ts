import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

/**
 * argon2id at the OWASP minimum (m = 19 MiB, t = 2, p = 1). The parameters live in each PHC
 * string, so raising them later keeps old hashes verifiable.
 */
const OPTIONS = { algorithm: 2 as Algorithm /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False on a mismatch; with no hash (unknown e-mail) it checks a dummy so the time is the same. */
  verify(passwordHash: string | undefined, password: string): Promise<boolean>;
}

export function createPasswordHasher(): PasswordHasher {
  // Made once, lazily: an unknown e-mail costs one real argon2 verification like a known one.
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hash(randomBytes(24).toString('base64url'), OPTIONS));
  return {
    hash: (password) => hash(password, OPTIONS),
    async verify(passwordHash, password) {
      const target = passwordHash ?? (await dummyHash());
      const matches = await verify(target, password).catch(() => false);
      return passwordHash !== undefined && matches;
    },
  };
}
