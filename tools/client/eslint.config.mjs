import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The generator starts the platform through the e2e harness, as the benchmarks do: tooling
    // that stands outside the architecture and is never imported by it.
    files: ['generate.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
