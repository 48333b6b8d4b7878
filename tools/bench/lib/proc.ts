// What Linux says about a process, read from /proc: CPU time and resident memory. The benchmark
// reads these for every server process before and after a measured window, so the figures are
// the processes' own accounting, not the load generator's view.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime (USER_HZ; 100 on every Linux we run on). */
export const clockTicks: number = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcStat {
  /** utime + stime of every thread of the process (libuv pool and GC threads included), µs. */
  cpuMicros: number;
  /** Start time after boot, in ticks: tells a process that began inside a window from an old one. */
  startTicks: number;
}

/** `/proc/<pid>/stat`, or undefined when the process is gone. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'.
  // After it come field 3 (state) onwards, so field n is at index n - 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  const startTicks = Number(fields[22 - 3]);
  return { cpuMicros: ((utime + stime) * 1e6) / clockTicks, startTicks };
}

/**
 * On-CPU time of the process's live threads in µs, from `/proc/<pid>/task/<tid>/schedstat`
 * (nanoseconds, where `stat` counts 10 ms ticks): what a window of a few ms of CPU per second
 * needs. A thread that ends takes its time with it, so this is for windows where the threads
 * stay (an idle platform). Undefined when the process is gone or the kernel keeps no schedstat.
 */
export function readCpuMicrosPrecise(pid: number): number | undefined {
  try {
    let nanos = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        nanos += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ', 1)[0]);
      } catch {
        // a thread that ended while we looked
      }
    }
    return Number.isFinite(nanos) ? nanos / 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size (VmRSS) in bytes, or undefined when the process is gone. */
export function readRssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Seconds since boot in ticks, to compare with `startTicks`. */
export function uptimeTicks(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * clockTicks;
}
