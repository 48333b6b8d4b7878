import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { pgTime } from './pg-time.js';

export interface RebuildRun {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  requestedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  eventsReplayed: number;
  error: string | null;
}

type RunRow = Omit<RebuildRun, 'startedAt' | 'finishedAt'> & { startedAt: string | Date; finishedAt: string | Date | null };
const toRun = (r: RunRow): RebuildRun => ({ ...r, startedAt: pgTime(r.startedAt), finishedAt: r.finishedAt === null ? null : pgTime(r.finishedAt) });

const columns = (sql: Sql) =>
  sql`id, status, requested_by as "requestedBy", started_at as "startedAt", finished_at as "finishedAt",
      events_replayed as "eventsReplayed", error`;

/** The history of rebuilds (table `rebuild_runs`, never swapped). */
export function rebuildRuns(sql: Sql) {
  return {
    /** A run left `running` by a process that died cannot be running: the caller holds the lock. */
    async start(requestedBy: string): Promise<RebuildRun> {
      await sql`update rebuild_runs set status = 'failed', finished_at = now(), error = 'interrupted' where status = 'running'`;
      const [run] = await sql<RunRow[]>`
        insert into rebuild_runs (id, status, requested_by) values (${randomUUID()}, 'running', ${requestedBy})
        returning ${columns(sql)}`;
      if (!run) throw new Error('rebuild run was not recorded');
      return toRun(run);
    },
    async finish(id: string, outcome: { eventsReplayed: number; error?: string }): Promise<void> {
      await sql`update rebuild_runs set status = ${outcome.error ? 'failed' : 'succeeded'}, finished_at = now(),
        events_replayed = ${outcome.eventsReplayed}, error = ${outcome.error ?? null} where id = ${id}`;
    },
    async latest(): Promise<RebuildRun | null> {
      const [run] = await sql<RunRow[]>`select ${columns(sql)} from rebuild_runs order by started_at desc limit 1`;
      return run ? toRun(run) : null;
    },
  };
}
