import { notificationsRepository } from '../data/notifications-repository.js';
import type { NotificationsDeps } from '../deps.js';

/** Marks every unread in-app notification of the user read; returns how many. */
export function markAllRead({ db }: Pick<NotificationsDeps, 'db'>, userId: string): Promise<number> {
  return notificationsRepository(db).markAllRead(userId);
}
