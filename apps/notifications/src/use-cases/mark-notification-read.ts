import { notFound } from '@platform/http-kit';
import { notificationsRepository } from '../data/notifications-repository.js';
import type { NotificationRow } from '../data/schema.js';
import type { NotificationsDeps } from '../deps.js';

/** Marks one of the user's in-app notifications read (idempotent: the first read time is kept). */
export async function markNotificationRead({ db }: Pick<NotificationsDeps, 'db'>, userId: string, notificationId: string): Promise<NotificationRow> {
  const row = await notificationsRepository(db).markRead(userId, notificationId);
  // Someone else's notification (or an e-mail copy) is indistinguishable from a missing one.
  if (!row) throw notFound('Notification not found');
  return row;
}
