import { defineConfig } from 'drizzle-kit';

// Only for db-kit's own tests: `npx drizzle-kit generate --config libs/db-kit/drizzle.config.ts`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './libs/db-kit/test/schema.ts',
  out: './libs/db-kit/test/migrations',
});
