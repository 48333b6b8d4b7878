import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { readFileSync } from 'node:fs';
import type { Env } from './load-config.js';

/** The nearest folder at or above `start` holding an `nx.json` (the workspace root), if any. */
export function findWorkspaceRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Local development reads `.env`, then `.env.example` for working defaults. Real environment
 * variables always win, and production never falls back to the example file.
 */
export function loadEnvFiles(start: string, env: Env = process.env): string[] {
  const root = findWorkspaceRoot(start);
  if (!root) return [];
  const files = env.NODE_ENV === 'production' ? ['.env'] : ['.env', '.env.example'];
  const loaded: string[] = [];
  for (const name of files) {
    const file = join(root, name);
    if (!existsSync(file)) continue;
    for (const [key, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
      if (env[key] === undefined) env[key] = value;
    }
    loaded.push(file);
  }
  return loaded;
}
