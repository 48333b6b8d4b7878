import { userRepository } from '../data/user-repository.js';
import type { UsersDeps } from '../deps.js';
import { userEvents } from '../publisher.js';

/**
 * Creates the configured admin when no account has that e-mail. Idempotent and safe with two
 * replicas starting at once: the unique e-mail index lets exactly one insert (and one event) win.
 * An existing account is left alone (its password or role may have been changed on purpose).
 */
export async function seedAdmin(deps: Pick<UsersDeps, 'db' | 'hasher' | 'settings' | 'logger'>): Promise<void> {
  const { db, hasher, logger } = deps;
  const { admin } = deps.settings;
  if (!admin) return;
  if (await userRepository(db).findByEmail(admin.email)) return;
  const passwordHash = await hasher.hash(admin.password);
  const created = await db.transaction(async (tx) => {
    const user = await userRepository(tx).insert({ email: admin.email, passwordHash, fullName: 'Administrator', role: 'admin' });
    if (user) await userEvents.registered(tx, user, 'admin-seed');
    return user;
  });
  if (created) logger.info({ userId: created.id }, 'seeded the admin account');
}
