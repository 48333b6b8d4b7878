import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';

export const chromiumPath = '/usr/bin/chromium';
const root = resolve(import.meta.dirname, '../../..');

/** Where browser tests leave their screenshots (git-ignored): apps/e2e/artifacts/<name>/. */
export function artifactsDir(name: string): string {
  const dir = join(root, 'apps', 'e2e', 'artifacts', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser download cannot run
 * here). Playwright gives every launch a fresh temporary profile (its own --user-data-dir).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is not installed at ${chromiumPath}: apt-get install -y chromium (.ci/run installs it when missing)`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Builds the console's single-page app into a fresh folder (what `nx build-web console` makes). */
export async function buildConsoleSite(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'console-web-'));
  await build({ configFile: join(root, 'apps/console/web/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}
