import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * One vitest setup for every project: workspace libraries resolve to their TypeScript
 * source through the `@platform/source` export condition, so tests never need a build.
 * Tests talk to the real Postgres and NATS, hence the generous timeouts.
 */
export function defineProjectConfig(dir: string, overrides: ViteUserConfig['test'] = {}) {
  const conditions = ['@platform/source', 'module', 'node', 'import', 'default'];
  return defineConfig({
    root: dir,
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@platform/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      pool: 'forks',
      testTimeout: 20_000,
      hookTimeout: 30_000,
      reporters: process.env.CI ? ['default'] : ['default'],
      ...overrides,
    },
  });
}
