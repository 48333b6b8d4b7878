// Everything that takes part in the path of users.user.updated.v1: the platform's processes and
// their Postgres backends (for CPU accounting) and the three consumers' effects (for latency).
import type postgres from 'postgres';
import { serverGroup, type ProcessGroup } from './cpu-meter.js';
import { analyticsEffect, inboxEffect, type Effect } from './event-trace.js';
import { benchSql, postgresActivity } from './postgres-activity.js';
import { databaseName, services, type BenchPlatform, type ServiceName } from './servers.js';

export interface Pipeline {
  effects: Effect[];
  groups: ProcessGroup[];
  close(): Promise<void>;
  usersSql: postgres.Sql;
}

/** The consumers of users.user.updated.v1 and every process of the platform, for CPU accounting. */
export function pipeline(platform: BenchPlatform, extra: ProcessGroup[] = []): Pipeline {
  const sqls = Object.fromEntries(services.map((s) => [s, benchSql(platform.databases[s])])) as Record<ServiceName, postgres.Sql>;
  const pg = postgresActivity();
  const groups: ProcessGroup[] = [
    ...Object.entries(platform.apps).map(([name, app]) => serverGroup(name, app.pid)),
    ...services.map((s) => pg.database(`postgres (${s} db)`, databaseName(platform.databases[s]))),
    ...extra,
    pg.background('postgres background (shared server)'),
  ];
  return {
    usersSql: sqls.users,
    effects: [
      inboxEffect('billing', sqls.billing, 'billing-project-users'),
      inboxEffect('notifications', sqls.notifications, 'notifications-keep-recipients-current'),
      analyticsEffect(sqls.analytics),
    ],
    groups,
    async close() {
      await Promise.all([...Object.values(sqls).map((sql) => sql.end({ timeout: 5 })), pg.close()]);
    },
  };
}

/** A Postgres group of this module's naming (the shared background one included). */
export const isPostgres = (name: string) => name.startsWith('postgres ');
