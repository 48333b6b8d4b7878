import { defineProjectConfig } from '../vitest/project-config.ts';

export default defineProjectConfig(import.meta.dirname);
