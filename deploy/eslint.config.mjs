import baseConfig from '../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The manifest test reads every app's configuration schema to hold the manifests to it:
    // tooling that stands outside the architecture and is never imported by it.
    files: ['test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
