import { defineConfig } from 'drizzle-kit';

// Run through `npm run db:generate -w analytics`, which resolves workspace libs to their source.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/data/schema.ts',
  out: './drizzle',
});
