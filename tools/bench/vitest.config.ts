import { defineProjectConfig } from '../vitest/project-config.ts';

// Only the harness's own tests (CPU accounting, medians): benchmark runs are never part of `npm test`.
export default defineProjectConfig(import.meta.dirname, { include: ['lib/**/*.test.ts'] });
