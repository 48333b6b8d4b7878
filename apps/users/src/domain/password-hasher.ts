import { randomBytes } from 'node:crypto';
import type { Algorithm } from '@node-rs/argon2';

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

/**
 * The native addon is loaded on the first password operation, not at boot: it is ~5 MiB of
 * resident memory (its text and its allocator's eager arena) that a replica serving only reads
 * never needs (docs/benchmarks.md, issue 12 round 6). Every caller waits for the same load. A
 * missing binary now fails that first operation (a 500) instead of the boot; the users tests
 * and the e2e login flows run it.
 */
let argon2: Promise<typeof import('@node-rs/argon2')> | undefined;
const loadArgon2 = () =>
  (argon2 ??= import('@node-rs/argon2').catch((error: unknown) => {
    // Not kept: the next password operation tries (and reports) again.
    argon2 = undefined;
    throw error;
  }));

export function createPasswordHasher(): PasswordHasher {
  // Made once, lazily: an unknown e-mail costs one real argon2 verification like a known one.
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= loadArgon2().then(({ hash }) => hash(randomBytes(24).toString('base64url'), OPTIONS)));
  return {
    hash: async (password) => (await loadArgon2()).hash(password, OPTIONS),
    async verify(passwordHash, password) {
      const { verify } = await loadArgon2();
      const target = passwordHash ?? (await dummyHash());
      const matches = await verify(target, password).catch(() => false);
      return passwordHash !== undefined && matches;
    },
  };
}
