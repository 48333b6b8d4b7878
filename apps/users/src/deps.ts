import { outboxCommitted } from '@platform/messaging';
import type { ServiceContext, ServiceDeps } from '@platform/service-kit';
import type { UsersSettings } from './config.js';
import { prepareGuardedOwnUpdate, prepareUserById } from './data/user-repository.js';
import type * as schema from './data/schema.js';
import { createLoginGuard } from './domain/login-guard.js';
import type { PasswordHasher } from './domain/password-hasher.js';
import type { TokenUsers } from './domain/token-users.js';
import { createSessions } from './domain/sessions.js';
import { usersMetrics } from './metrics.js';

/** What users builds once for its routes, use cases and workers (besides the service context). */
export function usersDeps(settings: UsersSettings, verificationKeys: Array<{ kid: string; pem: string }>, hasher: PasswordHasher, tokens: TokenUsers) {
  return (ctx: ServiceContext<typeof schema>) => ({
    settings,
    /** Every public key this service accepts, the signing key first (published as the JWKS). */
    verificationKeys,
    /** Prepared lookup by id for the hot read paths. */
    userById: prepareUserById(ctx.db),
    /**
     * `PATCH /users/me`'s change and event in one statement (see update-me.ts), then what every
     * commit of this database that wrote outbox rows wakes (`wakeAfterCommit`: the relay).
     */
    updateOwn: prepareGuardedOwnUpdate(ctx.sql, () => outboxCommitted(ctx.db)),
    /** The caller's row as the token check read it this request. */
    tokenUser: tokens.rowFor,
    hasher,
    loginGuard: createLoginGuard(ctx.db, settings.throttle, usersMetrics(ctx.metrics).throttled),
    sessions: createSessions({ settings, sign: ctx.signAccessToken }),
  });
}

/** The one `deps` of the users service: the service context plus `usersDeps`. */
export type UsersDeps = ServiceDeps<typeof schema, ReturnType<ReturnType<typeof usersDeps>>>;
