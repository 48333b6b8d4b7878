// What a database's tables went through in a window, from Postgres' own counters
// (pg_stat_user_tables / pg_stat_user_indexes): row versions written, HOT or not, dead versions
// left, rows read by sequential and index scans, and the heap and index sizes. A cost per write that
// grows round over round shows here as scans reading more rows per write, or as relations growing.
import type postgres from 'postgres';

export interface TableStats {
  table: string;
  inserted: number;
  updated: number;
  hotUpdated: number;
  deleted: number;
  dead: number;
  seqScans: number;
  seqRowsRead: number;
  indexScans: number;
  indexRowsRead: number;
  heapPages: number;
  indexPages: number;
}

/** One reading of `tables` (backends report their counters at most a second late). */
export async function readTableStats(sql: postgres.Sql, tables: readonly string[]): Promise<Map<string, TableStats>> {
  const rows = await sql<TableStats[]>`
    select t.relname as "table", n_tup_ins::float8 as inserted, n_tup_upd::float8 as updated,
      n_tup_hot_upd::float8 as "hotUpdated", n_tup_del::float8 as deleted, n_dead_tup::float8 as dead,
      coalesce(seq_scan, 0)::float8 as "seqScans", coalesce(seq_tup_read, 0)::float8 as "seqRowsRead",
      coalesce((select sum(idx_scan) from pg_stat_user_indexes i where i.relid = t.relid), 0)::float8 as "indexScans",
      coalesce((select sum(idx_tup_read) from pg_stat_user_indexes i where i.relid = t.relid), 0)::float8 as "indexRowsRead",
      (pg_relation_size(t.relid) / 8192)::float8 as "heapPages", (pg_indexes_size(t.relid) / 8192)::float8 as "indexPages"
    from pg_stat_user_tables t where t.relname = any(${tables as string[]}::text[])`;
  return new Map(rows.map((r) => [r.table, r]));
}

/** Per write, between two readings: what each table's counters moved, and its sizes at the end. */
export function describeTableStats(before: Map<string, TableStats>, after: Map<string, TableStats>, writes: number): string {
  const parts: string[] = [];
  for (const [table, end] of after) {
    const start = before.get(table);
    const d = (key: keyof Omit<TableStats, 'table'>) => (end[key] - (start?.[key] ?? 0)) / writes;
    const hot = end.updated - (start?.updated ?? 0) > 0 ? Math.round((100 * (end.hotUpdated - (start?.hotUpdated ?? 0))) / (end.updated - (start?.updated ?? 0))) : 0;
    parts.push(
      `${table}: per write ${d('inserted').toFixed(2)} ins / ${d('updated').toFixed(2)} upd (${hot} % HOT) / ${d('deleted').toFixed(2)} del, ` +
        `seq scans ${d('seqScans').toFixed(2)} reading ${d('seqRowsRead').toFixed(1)} rows, index scans ${d('indexScans').toFixed(2)} reading ${d('indexRowsRead').toFixed(1)}; ` +
        `now ${end.dead} dead, ${end.heapPages} heap + ${end.indexPages} index pages`,
    );
  }
  return parts.join('; ');
}
