import { defineProjectConfig } from '../../tools/vitest/project-config.ts';

// The generator test copies the workspace and runs a generated service's lint, typecheck and tests.
export default defineProjectConfig(import.meta.dirname, { testTimeout: 360_000, hookTimeout: 360_000 });
