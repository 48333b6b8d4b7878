import type { Page } from '@platform/db-kit';
import type { NotificationView } from '../data/notification-reads.js';
import type { NotificationsDeps } from '../deps.js';

/** The user's own in-app notifications, newest first; `unread` narrows to unread (true) or read (false) ones. */
export function listNotifications({ notificationReads }: Pick<NotificationsDeps, 'notificationReads'>, userId: string, query: { page: number; pageSize: number; unread?: boolean }): Promise<Page<NotificationView>> {
  return notificationReads.listInApp(userId, query);
}
