// A/B of analytics' store of one ingest batch, without the broker and the service around it: each
// tree's `storeLiveEvents` (apps/analytics/src/data/event-store.ts) called back to back on a fresh
// database with batches of BENCH_AB_BATCH (1: what a batch holds at the write path's 200/s)
// users.user.updated.v1 events, 60 users round-robin, in a child process per run, interleaved
// A, B, A, B ... Reported per event: the child's own CPU (process.cpuUsage) and its database's
// backends' (/proc/<pid>/stat of the database's pg_stat_activity pids), over BENCH_AB_BATCHES
// batches after 300 warm-up ones. CPU time, not wall time, but the machine's load still moves it.
// Instructions per batch: BENCH_AB_CALLGRIND=1 valgrind --tool=callgrind node ... --child <tree> (the window's own dump).
// Not a `npm run bench` scenario:
//   BENCH_AB_TREES=/base/tree:/branch/tree node --conditions=@platform/source --import tsx tools/bench/analytics-store-ab.ts
// (the file must exist in every tree: each child runs its own tree's copy, with its own modules).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { envNumber, round } from './lib/stats.js';

const batchSize = envNumber('BENCH_AB_BATCH', 1);
const batches = envNumber('BENCH_AB_BATCHES', 2000);

async function child(tree: string): Promise<void> {
  const { userUpdatedV1 } = await import('@platform/contracts');
  const { sampleEvent } = await import('@platform/contracts/testing');
  const { createTestDatabase } = await import('@platform/db-kit/testing');
  const { readProcStat } = await import('./lib/proc.js');
  const { storeLiveEvents } = await import(pathToFileURL(join(tree, 'apps/analytics/src/data/event-store.ts')).href);
  const { decodeEvent } = await import(pathToFileURL(join(tree, 'apps/analytics/src/domain/decode-event.ts')).href);
  const tdb = await createTestDatabase({ prefix: 'i12_analytics9_ab', migrationsFolder: join(tree, 'apps/analytics/drizzle'), max: 2 });
  try {
    const users = Array.from({ length: 60 }, () => randomUUID());
    let n = 0;
    const batch = () =>
      Array.from({ length: batchSize }, () => {
        const event = sampleEvent(userUpdatedV1.type, { userId: users[n++ % users.length], role: 'user', isActive: n % 7 !== 0 } as never);
        return decodeEvent(JSON.stringify(event), 'users').value;
      });
    // Both pool connections open before the window, so every backend is read at its start and end.
    await Promise.all([tdb.sql`select pg_sleep(0.05)`, tdb.sql`select pg_sleep(0.05)`]);
    const pids = (await tdb.sql`select pid from pg_stat_activity where datname = current_database()`).map((r) => r.pid as number);
    const backendCpu = async () => pids.reduce((sum, pid) => sum + (readProcStat(pid)?.cpuMicros ?? 0), 0);
    for (let i = 0; i < 300; i++) await storeLiveEvents(tdb.sql, 'users', batch());
    const work = Array.from({ length: batches }, batch);
    // Under `valgrind --tool=callgrind` (BENCH_AB_CALLGRIND=1): counters zeroed here, dumped at the window's end.
    const callgrind = (flag: string) => process.env.BENCH_AB_CALLGRIND === '1' && execFileSync('callgrind_control', [flag, String(process.pid)]);
    callgrind('-z');
    const pg0 = await backendCpu();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const b of work) await storeLiveEvents(tdb.sql, 'users', b);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    callgrind('-d');
    const pg = (await backendCpu()) - pg0;
    const events = batches * batchSize;
    console.log(JSON.stringify({ node: round((cpu.user + cpu.system) / events), postgres: round(pg / events), wallPerBatchMs: round(ms / batches, 3) }));
  } finally {
    await tdb.drop();
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!);
else {
  const trees = (process.env.BENCH_AB_TREES ?? '').split(':').filter(Boolean);
  const rounds = envNumber('BENCH_AB_ROUNDS', 3);
  for (let r = 1; r <= rounds; r++) {
    for (const [i, tree] of trees.entries()) {
      const out = execFileSync(process.execPath, ['--conditions=@platform/source', '--import', 'tsx', 'tools/bench/analytics-store-ab.ts', '--child', tree], {
        cwd: tree,
        encoding: 'utf8',
        env: process.env,
      });
      const load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ')[0];
      console.log(JSON.stringify({ round: r, tree: `${String.fromCharCode(65 + i)} ${tree}`, batchSize, load, ...JSON.parse(out.trim().split('\n').pop()!) }));
    }
  }
}
