// Which Postgres processes work for which database, from pg_stat_activity (one backend process
// per connection; its pid is the OS process whose CPU we read). The monitor itself connects to
// the `postgres` database and every bench helper connection names itself `bench-…`, so neither
// is counted as a service's database work.
import postgres from 'postgres';
import type { ProcessGroup } from './cpu-meter.js';

const serverUrl = (database: string) => `postgres://postgres@127.0.0.1:5432/${database}`;

/** A connection for the bench's own queries, marked so the CPU accounting leaves it out. */
export function benchSql(url: string, applicationName = 'bench-monitor', max = 2): postgres.Sql {
  return postgres(url, { max, connection: { application_name: applicationName }, onnotice: () => undefined });
}

interface Activity {
  pid: number;
  datname: string | null;
  application_name: string | null;
  backend_type: string | null;
}

export interface PostgresActivity {
  /** Backends connected to `database`, except the bench's own (`bench-…`) unless `application` names one. */
  database(name: string, database: string, application?: string): ProcessGroup;
  /**
   * The server's own processes (checkpointer, background and WAL writers, launchers): real work
   * for our writes, but shared with every other user of the server, so reported apart.
   */
  background(name: string): ProcessGroup;
  close(): Promise<void>;
}

export function postgresActivity(): PostgresActivity {
  const sql = benchSql(serverUrl('postgres'), 'bench-monitor', 1);
  let cached: { at: number; rows: Promise<Activity[]> } | undefined;
  // The groups of one sample share one query.
  const rows = () => {
    if (!cached || Date.now() - cached.at > 100) {
      cached = { at: Date.now(), rows: sql<Activity[]>`select pid, datname, application_name, backend_type from pg_stat_activity` };
    }
    return cached.rows;
  };
  return {
    database: (name, database, application) => ({
      name,
      pids: async () =>
        (await rows())
          .filter((r) => r.datname === database && (application ? r.application_name === application : !r.application_name?.startsWith('bench-')))
          .map((r) => r.pid),
    }),
    background: (name) => ({
      name,
      pids: async () => (await rows()).filter((r) => r.datname === null && r.backend_type !== 'client backend').map((r) => r.pid),
    }),
    close: () => sql.end({ timeout: 5 }),
  };
}
