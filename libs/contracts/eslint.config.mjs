import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The contracts' own tests pin the subjects of docs/contract.md §6 as written there.
    files: ['src/**/*.test.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
];
