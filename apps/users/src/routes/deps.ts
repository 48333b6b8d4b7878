import type { Db } from '@platform/db-kit';
import type { UserRow } from '../data/schema.js';
import type { Logger } from '@platform/logging';
import type { UsersSettings } from '../config.js';
import type * as schema from '../data/schema.js';
import type { LoginGuard } from '../services/login-guard.js';
import type { PasswordHasher } from '../services/password-hasher.js';
import type { Sessions } from '../services/sessions.js';

/** What the route modules are given (built once in `app.ts`). */
export interface UsersDeps {
  db: Db<typeof schema>;
  logger: Logger;
  settings: UsersSettings;
  /** Every public key this service accepts, the signing key first (published as the JWKS). */
  verificationKeys: Array<{ kid: string; pem: string }>;
  /** Prepared lookup by id for the hot read paths. */
  userById: (id: string) => Promise<UserRow | undefined>;
  hasher: PasswordHasher;
  loginGuard: LoginGuard;
  sessions: Sessions;
}
