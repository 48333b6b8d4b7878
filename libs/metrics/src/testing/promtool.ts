import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PROMTOOL = '/usr/bin/promtool';

/**
 * `promtool check metrics` (Debian's `prometheus` package) on an exposition: its lint findings,
 * empty when clean. Throws a clear line if promtool is missing rather than passing silently.
 */
export function promtoolCheck(exposition: string): string {
  const bin = existsSync(PROMTOOL) ? PROMTOOL : 'promtool';
  const result = spawnSync(bin, ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 20_000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('promtool is not installed: apt-get install -y prometheus (.ci/run does it)');
  }
  if (result.error) throw result.error;
  return `${result.stdout}${result.stderr}`.trim();
}
