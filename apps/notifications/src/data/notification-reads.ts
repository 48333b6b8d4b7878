import { pageParams, type Db, type Page, type PageQuery } from '@platform/db-kit';
import { and, count, desc, eq, isNull, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { notifications, type NotificationRow } from './schema.js';

/** `unread`: only unread (true), only read (false), or both (absent). */
type ReadFilter = boolean | undefined;

function readCondition(unread: ReadFilter): SQL | undefined {
  if (unread === undefined) return undefined;
  return unread ? isNull(notifications.readAt) : sql`${notifications.readAt} is not null`;
}

function ownInApp(userId: Placeholder | string, unread: ReadFilter): SQL | undefined {
  return and(eq(notifications.userId, userId), eq(notifications.channel, 'in_app'), readCondition(unread));
}

const statementName = (unread: ReadFilter) => `notifications_in_app_page${unread === undefined ? '' : unread ? '_unread' : '_read'}`;

/**
 * The in-app list, prepared once per read filter: one round trip per page (the rows and, as a
 * window count over the filtered rows before the limit, their total). Before, each page was two
 * statements built per request, the rows and a count, on two connections. A page past the end
 * has no row to carry the total: only then is it counted apart.
 */
export function notificationReads(db: Db) {
  const prepare = (unread: ReadFilter) =>
    db
      .select({ notification: notifications, total: sql<number>`count(*) over ()`.mapWith(Number) })
      .from(notifications)
      .where(ownInApp(sql.placeholder('userId'), unread))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare(statementName(unread));
  const pages = { all: prepare(undefined), unread: prepare(true), read: prepare(false) };

  return {
    /** The user's own in-app notifications, newest first. */
    async listInApp(userId: string, query: PageQuery & { unread?: boolean }): Promise<Page<NotificationRow>> {
      const { limit, offset } = pageParams(query);
      const statement = query.unread === undefined ? pages.all : query.unread ? pages.unread : pages.read;
      const rows = await statement.execute({ userId, limit, offset });
      const first = rows[0];
      if (!first) {
        if (offset === 0) return { items: [], total: 0 };
        const [counted] = await db.select({ n: count() }).from(notifications).where(ownInApp(userId, query.unread));
        return { items: [], total: Number(counted?.n ?? 0) };
      }
      return { items: rows.map((row) => row.notification), total: first.total };
    },
  };
}

export type NotificationReads = ReturnType<typeof notificationReads>;
