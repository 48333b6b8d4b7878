import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrationsFolderFor } from './migrate-database.js';

function appLayout(migrationsAt: 'source' | 'bundle') {
  const root = mkdtempSync(join(tmpdir(), 'mig-'));
  const folder = migrationsAt === 'source' ? join(root, 'drizzle') : join(root, 'src', 'drizzle');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  writeFileSync(join(folder, 'meta', '_journal.json'), '{}');
  return { module: pathToFileURL(join(root, 'src', 'app.ts')).href, folder };
}

describe('migrationsFolderFor', () => {
  it('finds the app folder migrations from source (src/app.ts → drizzle/)', () => {
    const { module, folder } = appLayout('source');
    expect(migrationsFolderFor(module)).toBe(folder);
  });

  it('finds migrations copied beside the bundle (main.js → drizzle/)', () => {
    const { module, folder } = appLayout('bundle');
    expect(migrationsFolderFor(module)).toBe(folder);
  });

  it('fails loudly when there are none', () => {
    expect(() => migrationsFolderFor(pathToFileURL(join(tmpdir(), 'nowhere', 'main.js')).href)).toThrow(/no drizzle migrations/);
  });
});
