import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

export const workspaceRoot = resolve(import.meta.dirname, '../../../..');

export interface Scratch {
  root: string;
  /** Runs a command in the copy; resolves with its exit code and output (killed after `timeoutMs`). */
  run(command: string, args: string[], options?: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; output: string }>;
  remove(): void;
}

/**
 * A copy of the workspace's tracked (and not ignored) files in a temporary folder, without an
 * install: its node_modules is a real folder of links to this workspace's packages, except
 * `@platform/*`, which link to the copy's own libs, so the copy's code (a generated service, the
 * edited contracts) is what resolves. Plenty for Nx, tsc, ESLint and vitest.
 */
export function createScratchWorkspace(prefix = 'platform-scratch-'): Scratch {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: workspaceRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const target = join(root, file);
    mkdirSync(dirname(target), { recursive: true });
    try {
      cpSync(join(workspaceRoot, file), target);
    } catch (error) {
      // A file deleted in the working tree but still in the index: it is not part of the copy.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, '@platform'), { recursive: true });
  for (const entry of readdirSync(join(workspaceRoot, 'node_modules'))) {
    if (entry === '@platform' || entry === '.package-lock.json') continue;
    symlinkSync(join(workspaceRoot, 'node_modules', entry), join(modules, entry));
  }
  for (const entry of readdirSync(join(workspaceRoot, 'node_modules', '@platform'))) {
    const original = resolve(join(workspaceRoot, 'node_modules', '@platform'), execFileSync('readlink', [join(workspaceRoot, 'node_modules', '@platform', entry)], { encoding: 'utf8' }).trim());
    symlinkSync(join(root, relative(workspaceRoot, original)), join(modules, '@platform', entry));
  }
  // Nx would otherwise search the parent folders for a workspace and reuse a daemon.
  const baseEnv = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false', CI: 'true', FORCE_COLOR: '0' };

  return {
    root,
    run(command, args, options = {}) {
      return new Promise((done) => {
        const child = spawn(command, args, { cwd: options.cwd ? join(root, options.cwd) : root, env: { ...baseEnv, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        // The whole process group: nx and vitest start children of their own.
        const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), options.timeoutMs ?? 120_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          // eslint-disable-next-line no-control-regex
          done({ code, output: output.replace(/\x1b\[[0-9;]*m/g, '') });
        });
      });
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
