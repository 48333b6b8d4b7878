// Footprint of each service from its built bundle (`npx nx build <app>` → dist/apps/<app>/main.js,
// run as the container image runs it: `node main.js`):
//   cold start  spawn → the first 200 from `/ready` (polled every 5 ms), databases already migrated
//   boot CPU    utime + stime of the process (every thread) from spawn to that first 200: what the
//               cold start costs the machine, readable when a busy machine queues the wall clock
//   idle RSS    VmRSS from /proc/<pid>/status, BENCH_IDLE_SETTLE seconds (default 3) after ready
//   steady idle RSS  VmRSS once more after the rounds, when every app has been idle at least
//               BENCH_IDLE_STEADY seconds (default 30) since its last ready: 3 s after ready is
//               still the boot's heap (V8 shrinks its young generation and compacts only once the
//               process has stayed idle for a while, ~25 s here), so both are reported
// Each app is restarted `rounds` times in turn (the others keep running); medians are reported.
// BENCH_NODE_ARGS="--flag ..." runs every app with those Node/V8 flags before the entry.
import { spawnSync } from 'node:child_process';
import type { BenchFigure, BenchScenario } from './types.js';
import { readProcStat, readRssBytes } from './lib/proc.js';
import { apps, root, startBenchPlatform, type AppName } from './lib/servers.js';
import { envNumber, median, round } from './lib/stats.js';

// Services before the gateway: its readiness asks theirs.
const order: AppName[] = ['users', 'billing', 'notifications', 'analytics', 'gateway'];

/** Every app's bundle from the current sources (`nx build` is cached, so an unchanged app is not rebuilt). */
export function buildBundles(log: (message: string) => void): void {
  log('building every app (npx nx run-many -t build)');
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', apps.join(','), '--outputStyle=static'], {
    cwd: root,
    env: { ...process.env, NX_NO_CLOUD: 'true' },
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
}

export const footprint: BenchScenario = {
  name: 'footprint',
  servers: 'dist',
  description: 'idle RSS and cold start to ready of each service from its built bundle',
  async run({ rounds, log }) {
    buildBundles(log);
    const settleMs = envNumber('BENCH_IDLE_SETTLE', 3) * 1000;
    log('starting the platform from dist/apps/*/main.js');
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const platform = await startBenchPlatform({ label: 'footprint', entry: 'dist', nodeArgs });
    try {
      const starts = new Map<AppName, number[]>(order.map((a) => [a, []]));
      const rss = new Map<AppName, number[]>(order.map((a) => [a, []]));
      const bootCpu = new Map<AppName, number[]>(order.map((a) => [a, []]));
      const readyAt = new Map<AppName, number>();
      for (let r = 1; r <= rounds; r++) {
        for (const app of order) {
          const ms = await platform.restart(app);
          readyAt.set(app, performance.now());
          const cpuMs = (readProcStat(platform.app(app).pid)?.cpuMicros ?? Number.NaN) / 1000;
          await new Promise((resolve) => setTimeout(resolve, settleMs));
          const bytes = readRssBytes(platform.app(app).pid);
          if (bytes === undefined) throw new Error(`${app} is gone after its restart`);
          starts.get(app)!.push(ms);
          bootCpu.get(app)!.push(cpuMs);
          rss.get(app)!.push(bytes / 2 ** 20);
          log(`round ${r} ${app}: ready ${Math.round(ms)} ms after spawn (boot CPU ${Math.round(cpuMs)} ms), RSS ${round(bytes / 2 ** 20, 1)} MiB`);
        }
      }
      const steadyMs = envNumber('BENCH_IDLE_STEADY', 30) * 1000;
      const youngest = Math.max(...readyAt.values());
      const wait = youngest + steadyMs - performance.now();
      if (wait > 0) {
        log(`waiting ${Math.ceil(wait / 1000)} s until every app has been idle ${steadyMs / 1000} s since its last ready`);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const steady = new Map<AppName, number>();
      for (const app of order) {
        const bytes = readRssBytes(platform.app(app).pid);
        if (bytes === undefined) throw new Error(`${app} is gone while idle`);
        steady.set(app, bytes / 2 ** 20);
        log(`${app}: steady idle RSS ${round(bytes / 2 ** 20, 1)} MiB (${Math.round((performance.now() - (readyAt.get(app) ?? 0)) / 1000)} s after ready)`);
      }
      const figures: BenchFigure[] = [];
      for (const app of order) {
        const each = (values: number[], digits: number) => values.map((v) => round(v, digits)).join(' / ');
        figures.push(
          { scenario: 'footprint', name: `${app}: idle RSS (built bundle)`, metric: 'MiB', value: round(median(rss.get(app)!), 1), detail: { rounds: each(rss.get(app)!, 1), 'after ready s': settleMs / 1000, target: '≤ 80 MB' } },
          { scenario: 'footprint', name: `${app}: steady idle RSS (built bundle)`, metric: 'MiB', value: round(steady.get(app) ?? Number.NaN, 1), detail: { 'idle at least s': steadyMs / 1000, target: '≤ 80 MB' } },
          { scenario: 'footprint', name: `${app}: cold start to ready (built bundle)`, metric: 'ms', value: Math.round(median(starts.get(app)!)), detail: { rounds: each(starts.get(app)!, 0), target: '≤ 500 ms' } },
          { scenario: 'footprint', name: `${app}: boot CPU to ready (built bundle)`, metric: 'ms', value: Math.round(median(bootCpu.get(app)!)), detail: { rounds: each(bootCpu.get(app)!, 0) } },
        );
      }
      return figures;
    } finally {
      await platform.stop();
    }
  },
};
