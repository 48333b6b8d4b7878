import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The console's single-page app, served by the console app at /console/ as static files.
 * `outDir` may be moved by CONSOLE_WEB_OUT_DIR (the browser test builds into a temp folder).
 */
export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: process.env.CONSOLE_WEB_OUT_DIR ?? fileURLToPath(new URL('../../../dist/apps/console/public', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1_000,
  },
  // Local development of the UI alone: `npx vite --config apps/console/web/vite.config.ts` with the console on 3005.
  server: { proxy: { '/console/api': 'http://127.0.0.1:3005' } },
});
