import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * One vitest setup for every project: workspace libraries resolve to their TypeScript
 * source through the `@platform/source` export condition, so tests never need a build.
 * Tests talk to the real Postgres and NATS, hence the generous timeouts.
 */
export function defineProjectConfig(dir: string, overrides: ViteUserConfig['test'] = {}) {
  // vitest hands ssr.resolve.conditions to the forked Node as --conditions. `import` must not be
  // among them: a CommonJS require('helmet') would then load helmet's ESM build (require(esm) on
  // Node 20.19+) and get a namespace instead of the function. The source condition is all we add.
  const conditions = ['@platform/source', 'node', 'default'];
  return defineConfig({
    root: dir,
    resolve: { conditions: ['@platform/source', 'module', 'node', 'import', 'default'] },
    ssr: { resolve: { conditions, externalConditions: ['@platform/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      pool: 'forks',
      testTimeout: 20_000,
      hookTimeout: 30_000,
      ...overrides,
    },
  });
}
