// A Postgres cluster and a NATS server of the chaos run's own, on spare ports, so the run may
// kill and restart them: the shared servers on 5432 / 4222 are never touched.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portAccepts } from '../../apps/e2e/src/platform.js';

const pgBin = process.env.CHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export { freePort };

/** Postgres refuses to run as root: as root, its tools run as the `postgres` user. */
function asPostgres(command: string, args: string[]): { command: string; args: string[] } {
  return process.getuid?.() === 0 ? { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] } : { command, args };
}

/** Runs a Postgres tool to completion without blocking the event loop (the load keeps going). */
function run(command: string, args: string[]): Promise<void> {
  const wrapped = asPostgres(command, args);
  return new Promise((resolve, reject) => {
    const child = spawn(wrapped.command, wrapped.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed: ${output}`))));
  });
}

export interface ChaosPostgres {
  url: string;
  port: number;
  /** `pg_ctl restart -m immediate`: every backend killed, crash recovery, back in about a second. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPostgres(): Promise<ChaosPostgres> {
  if (!existsSync(join(pgBin, 'initdb'))) throw new Error(`no Postgres binaries in ${pgBin} (set CHAOS_PG_BIN)`);
  const dir = mkdtempSync(join(tmpdir(), 'chaos-pg-'));
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const data = join(dir, 'data');
  const port = await freePort();
  await run(join(pgBin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  // fsync off: a process crash loses nothing (the OS keeps the pages); synchronous_commit stays on,
  // so an immediate shutdown never loses a committed transaction.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`;
  const ctl = (...args: string[]) => run(join(pgBin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'postgres.log'), '-w', ...args]);
  await ctl('-o', options, 'start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: () => ctl('-m', 'immediate', '-o', options, 'restart'),
    stop: () => ctl('-m', 'immediate', 'stop'),
    start: () => ctl('-o', options, 'start'),
    async destroy() {
      await ctl('-m', 'immediate', 'stop').catch(() => undefined); // already stopped
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ChaosNats {
  url: string;
  /** SIGKILL, then the same server again on its store after `downMs`. */
  crashAndRestart(downMs: number): Promise<void>;
  destroy(): Promise<void>;
}

export async function startNats(): Promise<ChaosNats> {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-nats-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await portAccepts(port);
      if (up) return;
      if (Date.now() > deadline) throw new Error('nats-server did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const killed = () =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    async crashAndRestart(downMs) {
      await killed();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await launch();
    },
    async destroy() {
      await killed();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
