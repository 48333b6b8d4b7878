// CPU time of groups of processes over a measured window. A group is a name plus the pids that
// belong to it right now: one server process, or a changing set (Postgres backends come and go
// with the pools). Every group is sampled while the window is open, so a process that starts
// inside it is counted from its birth and one that ends keeps what it had used at the last sample.
import { readCpuMicrosPrecise, readProcStat, uptimeTicks, type ProcStat } from './proc.js';

export interface ProcessGroup {
  name: string;
  pids(): number[] | Promise<number[]>;
}

export interface GroupCpu {
  name: string;
  cpuMicros: number;
  /** Distinct processes seen during the window. */
  processes: number;
}

export interface CpuWindow {
  /** Closes the window: one last sample, then the CPU each group used since `startCpuWindow`. */
  stop(): Promise<GroupCpu[]>;
}

interface Seen {
  start: number;
  last: number;
}

export const serverGroup = (name: string, pid: number): ProcessGroup => ({ name, pids: () => [pid] });

export interface CpuWindowOptions {
  /**
   * Read each thread's schedstat (ns) instead of `stat` (10 ms ticks): for a window of an idle
   * platform, where a process uses a few ms a second. Not for windows where threads come and go.
   */
  precise?: boolean;
}

export async function startCpuWindow(groups: readonly ProcessGroup[], sampleMs = 500, options: CpuWindowOptions = {}): Promise<CpuWindow> {
  const openedAt = uptimeTicks();
  const seen = groups.map(() => new Map<number, Seen>());
  const read = (pid: number): ProcStat | undefined => {
    const stat = readProcStat(pid);
    if (!stat || !options.precise) return stat;
    return { ...stat, cpuMicros: readCpuMicrosPrecise(pid) ?? stat.cpuMicros };
  };

  async function sample(opening: boolean): Promise<void> {
    const lists = await Promise.all(groups.map((group) => group.pids()));
    lists.forEach((pids, i) => {
      const known = seen[i]!;
      for (const pid of new Set([...pids, ...known.keys()])) {
        const stat = read(pid);
        if (!stat) continue; // gone: keeps its last reading
        const entry = known.get(pid);
        if (entry) entry.last = Math.max(entry.last, stat.cpuMicros);
        else if (pids.includes(pid)) {
          // Born inside the window: all its CPU is the window's. Seen late but older: from now on.
          const bornInside = !opening && stat.startTicks >= openedAt - 1;
          known.set(pid, { start: bornInside ? 0 : stat.cpuMicros, last: stat.cpuMicros });
        }
      }
    });
  }

  await sample(true);
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(() => sample(false)).catch(() => undefined);
  }, sampleMs);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      await sample(false);
      return groups.map((group, i) => {
        const entries = [...seen[i]!.values()];
        return { name: group.name, cpuMicros: entries.reduce((sum, e) => sum + (e.last - e.start), 0), processes: entries.length };
      });
    },
  };
}
