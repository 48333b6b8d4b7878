import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvFiles } from './env-files.js';

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'cfg-'));
  writeFileSync(join(root, 'nx.json'), '{}');
  writeFileSync(join(root, '.env.example'), 'A=example\nB=example\nC=example\n');
  writeFileSync(join(root, '.env'), 'B=dotenv\n');
  mkdirSync(join(root, 'apps', 'users'), { recursive: true });
  return root;
}

describe('loadEnvFiles', () => {
  it('layers the real environment over .env over .env.example', () => {
    const root = workspace();
    const env: Record<string, string | undefined> = { C: 'real' };
    loadEnvFiles(join(root, 'apps', 'users'), env);
    expect(env).toEqual({ A: 'example', B: 'dotenv', C: 'real' });
  });

  it('never falls back to .env.example in production', () => {
    const root = workspace();
    const env: Record<string, string | undefined> = { NODE_ENV: 'production' };
    loadEnvFiles(root, env);
    expect(env).toEqual({ NODE_ENV: 'production', B: 'dotenv' });
  });
});
