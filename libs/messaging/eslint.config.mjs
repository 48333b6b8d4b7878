import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The transport's tests publish and read raw subjects on purpose (namespacing, filters, dead letters).
    files: ['src/**/*.test.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
];
