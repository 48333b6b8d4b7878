import { builtinModules } from 'node:module';
import baseConfig from '../../eslint.config.mjs';

const browserOnly = 'The client runs in browsers: use web APIs (fetch, AbortSignal, crypto.getRandomValues), never a Node built-in.';

export default [
  ...baseConfig,
  { ignores: ['src/generated/**'] },
  {
    // No Node built-in anywhere the client ships from (test/browser.test.ts also bundles it for the
    // browser platform and runs it with web globals only). The testing entry is workspace tooling.
    files: ['src/**/*.ts'],
    ignores: ['src/testing/**', 'src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: builtinModules.map((name) => ({ name, message: browserOnly })), patterns: [{ regex: '^node:', message: browserOnly }] },
      ],
    },
  },
];
