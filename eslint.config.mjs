import nx from '@nx/eslint-plugin';

/**
 * Module boundaries are the architecture: an app never imports another app, a library owned
 * by one service (scope:<service>) is used only by that service, shared libraries by anyone.
 */
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/vitest.config.*.timestamp*'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:shared', 'scope:gateway'] },
            { sourceTag: 'scope:users', onlyDependOnLibsWithTags: ['scope:shared', 'scope:users'] },
            { sourceTag: 'scope:billing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:billing'] },
            { sourceTag: 'scope:notifications', onlyDependOnLibsWithTags: ['scope:shared', 'scope:notifications'] },
            { sourceTag: 'scope:analytics', onlyDependOnLibsWithTags: ['scope:shared', 'scope:analytics'] },
            { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:shared', 'scope:console'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Apps are workspace packages too, but a bare `import 'billing'` resolves to no project, so
      // the rule above never sees it (tools/scripts/check-boundaries.mjs proves both rules bite).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(gateway|users|billing|notifications|analytics|console|e2e)(/.*)?$',
              message: 'An app is never imported: share code through a library under libs/.',
            },
          ],
        },
      ],
    },
  },
  {
    // An event type is its contract's `type` (userRegisteredV1.type): a literal would not fail to
    // compile when the contract is renamed or moves to v2. `files` is relative to each project;
    // the contracts lib (which pins the subjects) and messaging's own tests opt out.
    files: ['src/**/*.ts', 'test/**/*.ts'],
    ignores: ['src/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Literal[value=/^(users|billing|notifications)\\.(user|account|invoice|payment|notification)\\./]',
          message: 'An event type comes from its contract (e.g. userRegisteredV1.type), never a string literal.',
        },
        {
          selector: 'TemplateElement[value.raw=/^(users|billing|notifications)\\.(user|account|invoice|payment|notification)\\./]',
          message: 'An event type comes from its contract (e.g. userRegisteredV1.type), never a string literal.',
        },
      ],
    },
  },
  {
    // Tool configuration files share workspace tooling by relative path; they are not code.
    files: ['**/vitest.config.ts', '**/drizzle.config.ts', '**/eslint.config.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Benchmarks and the fault suite drive the apps themselves (buildApp, the e2e platform
    // harness): tooling that stands outside the architecture, never imported by it.
    files: ['tools/bench/**/*.ts', 'tools/chaos/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
