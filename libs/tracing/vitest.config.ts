import { defineProjectConfig } from '../../tools/vitest/project-config.ts';

export default defineProjectConfig(import.meta.dirname);
