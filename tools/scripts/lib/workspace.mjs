// Helpers shared by start.mjs and test.mjs. Plain Node, built-ins only: they run before `npm ci`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Why an install is needed, or undefined when node_modules matches package-lock.json. */
export function installReason() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(marker)) return 'node_modules was not installed by npm';
  if (statSync(join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs) {
    return 'package-lock.json is newer than node_modules';
  }
  return undefined;
}

/** `npm ci` when the install is missing or stale: exactly the lockfile, never a silent upgrade. */
export function ensureInstalled() {
  const reason = installReason();
  if (!reason) return;
  console.log(`${reason}: running npm ci`);
  if (spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' }).status !== 0) {
    console.error('npm ci failed: see the output above (is package-lock.json in sync with package.json?)');
    process.exit(1);
  }
}

/**
 * The environment the apps will see: real variables win, then `.env`, then `.env.example`
 * (the same order @platform/config's loadEnvFiles uses; production skips the example file).
 */
export function workspaceEnv(env = process.env) {
  const merged = { ...env };
  const files = env.NODE_ENV === 'production' ? ['.env'] : ['.env', '.env.example'];
  for (const name of files) {
    const file = join(root, name);
    if (!existsSync(file)) continue;
    for (const [key, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
      if (merged[key] === undefined) merged[key] = value;
    }
  }
  return merged;
}
