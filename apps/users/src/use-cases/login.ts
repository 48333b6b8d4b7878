import { forbidden, unauthorized } from '@platform/http-kit';
import { userRepository } from '../data/user-repository.js';
import type { UsersDeps } from '../deps.js';
import type { TokenPair } from '../domain/sessions.js';
import { userEvents } from '../publisher.js';

// Same answer for an unknown e-mail and a wrong password, so neither reveals which it was.
const BAD_CREDENTIALS = 'Invalid e-mail or password';

/** Credentials for a token pair (a new refresh-token family), throttled per e-mail and client. */
export async function login(deps: UsersDeps, input: { email: string; password: string }, clientIp: string, requestId: string): Promise<TokenPair> {
  const { db, hasher, loginGuard, sessions } = deps;
  const { email, password } = input;
  // Counted as a failure before the password is checked; given back only if it is right.
  const attempt = await loginGuard.reserve(email, clientIp);
  const user = await userRepository(db).findByEmail(email);
  if (!(await hasher.verify(user?.passwordHash, password)) || !user) throw unauthorized(BAD_CREDENTIALS);
  await attempt.release();
  // Only now, with the password proven, may the caller learn the account is disabled.
  if (!user.isActive) throw forbidden('Account is disabled');
  await loginGuard.resetEmail(email);
  return db.transaction(async (tx) => {
    // A login is not an edit of the user: `updatedAt` keeps its value.
    const current = (await userRepository(tx).update(user.id, { lastLoginAt: new Date(), updatedAt: user.updatedAt })) ?? user;
    await userEvents.loggedIn(tx, user.id, requestId);
    return sessions.start(tx, current);
  });
}
