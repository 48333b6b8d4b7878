import type { Page } from '@platform/db-kit';
import { notificationsRepository } from '../data/notifications-repository.js';
import type { NotificationRow } from '../data/schema.js';
import type { NotificationsDeps } from '../deps.js';

/** The user's own in-app notifications, newest first; `unread` narrows to unread (true) or read (false) ones. */
export function listNotifications({ db }: Pick<NotificationsDeps, 'db'>, userId: string, query: { page: number; pageSize: number; unread?: boolean }): Promise<Page<NotificationRow>> {
  return notificationsRepository(db).listInApp(userId, query);
}
