import { clientOf, isoUtc, pageParams, type Db, type Page, type PageQuery } from '@platform/db-kit';
import type { NotificationRow } from './schema.js';

/** An in-app notification as the API answers it (routes/schemas.ts `Notification`): timestamps as ISO 8601 UTC. */
export type NotificationView = Omit<NotificationRow, 'sourceEventId' | 'readAt' | 'createdAt'> & { readAt: string | null; createdAt: string };

/** `unread`: only unread (true), only read (false), or both (absent). */
type ReadFilter = boolean | undefined;

const ownInApp = (unread: ReadFilter) =>
  `n.user_id = $1 and n.channel = 'in_app'${unread === undefined ? '' : unread ? ' and n.read_at is null' : ' and n.read_at is not null'}`;

// Postgres builds each item in the response's shape (no source event id): one JSON.parse per row
// instead of postgres.js parsing and drizzle mapping every column, then a Date → ISO per timestamp.
const pageStatement = (unread: ReadFilter) => `select json_build_object(
    'id', n.id, 'userId', n.user_id, 'channel', n.channel, 'template', n.template, 'title', n.title, 'body', n.body,
    'readAt', ${isoUtc('n.read_at')}, 'createdAt', ${isoUtc('n.created_at')}
  ) as notification, (count(*) over ())::int as total
  from notifications n where ${ownInApp(unread)}
  order by n.created_at desc, n.id desc limit $2 offset $3`;

const countStatement = (unread: ReadFilter) => `select count(*)::int as n from notifications n where ${ownInApp(unread)}`;

/**
 * The in-app list, one prepared round trip per page (postgres.js names and caches the statement
 * per connection): the rows and, as a window count over the filtered rows before the limit,
 * their total. A page past the end has no row to carry the total: only then is it counted apart.
 */
export function notificationReads(db: Db) {
  const sql = clientOf(db);
  const pick = <T>(forms: { all: T; unread: T; read: T }, unread: ReadFilter) => (unread === undefined ? forms.all : unread ? forms.unread : forms.read);
  const pages = { all: pageStatement(undefined), unread: pageStatement(true), read: pageStatement(false) };
  const counts = { all: countStatement(undefined), unread: countStatement(true), read: countStatement(false) };

  return {
    /** The user's own in-app notifications, newest first. */
    async listInApp(userId: string, query: PageQuery & { unread?: boolean }): Promise<Page<NotificationView>> {
      const { limit, offset } = pageParams(query);
      const rows = await sql.unsafe<Array<{ notification: NotificationView; total: number }>>(pick(pages, query.unread), [userId, limit, offset], { prepare: true });
      const first = rows[0];
      if (!first) {
        if (offset === 0) return { items: [], total: 0 };
        const [counted] = await sql.unsafe<Array<{ n: number }>>(pick(counts, query.unread), [userId], { prepare: true });
        return { items: [], total: counted?.n ?? 0 };
      }
      return { items: rows.map((row) => row.notification), total: first.total };
    },
  };
}

export type NotificationReads = ReturnType<typeof notificationReads>;
