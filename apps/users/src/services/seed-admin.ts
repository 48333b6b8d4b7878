import type { Db } from '@platform/db-kit';
import type { Logger } from '@platform/logging';
import type { UsersSettings } from '../config.js';
import { userRepository } from '../data/user-repository.js';
import { userEvents } from '../events/user-events.js';
import type { PasswordHasher } from './password-hasher.js';

/**
 * Creates the configured admin when no account has that e-mail. Idempotent and safe with two
 * replicas starting at once: the unique e-mail index lets exactly one insert (and one event) win.
 * An existing account is left alone (its password or role may have been changed on purpose).
 */
export async function seedAdmin(db: Db, hasher: PasswordHasher, admin: UsersSettings['admin'], logger: Logger): Promise<void> {
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
