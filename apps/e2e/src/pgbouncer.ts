import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portAccepts } from './platform.js';

/** Debian's package; `.ci/run` installs it when missing. */
export const PGBOUNCER_BIN = '/usr/sbin/pgbouncer';

export interface PgBouncer {
  port: number;
  /** A Postgres URL rewritten to go through the pooler (same user and database). */
  url(target: string): string;
  /** pgbouncer's own log (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

/** Null when pgbouncer is installed, else the line a test fails with. */
export function pgbouncerMissing(): string | null {
  const probe = spawnSync(PGBOUNCER_BIN, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `pgbouncer is not installed at ${PGBOUNCER_BIN}: apt-get install -y pgbouncer (.ci/run does it)`;
}

/**
 * A PgBouncer of the test's own on a spare port, in front of the shared Postgres, in
 * **transaction** mode (a server connection per transaction, as deployed at scale), trusting
 * loopback like the shared server does. Every database name is passed through (`*`).
 * pgbouncer refuses to run as root: as root it drops to the `postgres` user (`-u`).
 */
export async function startPgBouncer(options: { postgresPort?: number; poolSize?: number } = {}): Promise<PgBouncer> {
  const missing = pgbouncerMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const logFile = join(dir, 'pgbouncer.log');
  writeFileSync(join(dir, 'userlist.txt'), '"postgres" ""\n');
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=127.0.0.1 port=${options.postgresPort ?? 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 20}`,
      'max_client_conn = 1000',
      `logfile = ${logFile}`,
      // postgres.js sends these at connect; pgbouncer passes on only what it knows.
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
  );
  for (const file of ['userlist.txt', 'pgbouncer.ini']) chmodSync(join(dir, file), 0o644);
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(PGBOUNCER_BIN, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => {
    let file = '';
    try {
      file = readFileSync(logFile, 'utf8');
    } catch {
      // not written yet
    }
    return `${output.join('')}${file}`;
  };

  const deadline = Date.now() + 10_000;
  while (!(await portAccepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`pgbouncer did not start on ${port}:\n${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url(target) {
      const parsed = new URL(target);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    log,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT'); // immediate shutdown
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
