import { defineConfig } from 'drizzle-kit';

// Only for messaging's own tests: `npx drizzle-kit generate --config libs/messaging/drizzle.config.ts`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './libs/messaging/test/schema.ts',
  out: './libs/messaging/test/migrations',
});
