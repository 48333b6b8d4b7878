// The shared nats-server (127.0.0.1:4222) as a metered process group. The benchmark never starts,
// stops or restarts it: it is found in /proc by its command line, and its CPU is read like any
// other process's. It serves every user of the machine (other engineers' tests included), so its
// figure is an upper bound of what the scenario cost it, reported apart like Postgres' background.
import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessGroup } from './cpu-meter.js';

/** The port a nats-server command line listens on (`-p`, `--port`, `-port`; 4222 by default). */
function portOf(args: string[]): number {
  for (const [i, arg] of args.entries()) {
    const inline = /^--?(?:p|port)=(\d+)$/.exec(arg);
    if (inline) return Number(inline[1]);
    if (/^--?(?:p|port)$/.test(arg)) return Number(args[i + 1]);
  }
  return 4222;
}

/** Pid of the nats-server listening on `port` (`BENCH_NATS_PID` overrides), or undefined when none is found. */
export function natsServerPid(port = 4222): number | undefined {
  const forced = Number(process.env.BENCH_NATS_PID);
  if (Number.isInteger(forced) && forced > 0) return forced;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'nats-server') continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (portOf(args.slice(1)) === port) return Number(entry);
    } catch {
      // gone while we looked
    }
  }
  return undefined;
}

/** The shared nats-server's CPU (nothing when it cannot be found, e.g. NATS in a container). */
export function natsServerGroup(name = 'nats-server (shared)'): ProcessGroup {
  const pid = natsServerPid();
  return { name, pids: () => (pid === undefined ? [] : [pid]) };
}
