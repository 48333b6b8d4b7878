// The NATS server the platform talks to is shared (the one on 127.0.0.1:4222, started outside the
// bench and never restarted by it), but its JetStream work (store every publish, deliver to every
// consumer, take every ack) is part of each event's cost. It is found by its command line and read
// from /proc/<pid>/stat like every other process; being shared, its CPU also holds whatever
// other clients of the server did meanwhile, so it is reported on a line of its own.
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ProcessGroup } from './cpu-meter.js';

/** The port a nats-server command line listens on (`-p 4222`, `--port=4222`; 4222 when not given). */
export function natsPortOf(args: readonly string[]): number {
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-p' || arg === '--port' || arg === '-port') return Number(args[i + 1]);
    const inline = /^--?port=(\d+)$/.exec(arg);
    if (inline) return Number(inline[1]);
  }
  return 4222;
}

/** The pid of the nats-server process listening on `port`, or undefined when none is visible. */
export function natsServerPid(port = 4222): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone meanwhile
    }
    if (args.length > 0 && basename(args[0]!) === 'nats-server' && natsPortOf(args) === port) return Number(entry);
  }
  return undefined;
}

/** A CPU group for the shared nats-server (empty when it cannot be found: the line then reads 0). */
export function natsServerGroup(name = 'nats-server (shared)', port = 4222): ProcessGroup {
  const pid = natsServerPid(port);
  return { name, pids: () => (pid === undefined ? [] : [pid]) };
}
