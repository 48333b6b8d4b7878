import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { HttpApp } from '@platform/http-kit';
import { notFound } from '@platform/http-kit';

/**
 * The built single-page app at /console/ (`nx build-web console`, which `npm start` runs). Its
 * files hold no data: everything is behind /console/api, which needs an admin token. Client-side
 * routes (/console/dead-letters...) get index.html; a missing build gets a 404 in words.
 */
export async function registerStaticSite(app: HttpApp, staticDir: string): Promise<void> {
  const built = existsSync(join(staticDir, 'index.html'));
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  if (!built) {
    app.log.warn({ staticDir }, 'console web build missing: run `npx nx build-web console`');
    app.get('/console/*', { schema: { hide: true } }, async () => {
      throw notFound(`The console's web build is missing (${staticDir}): run \`npx nx build-web console\``);
    });
    return;
  }
  await app.register(fastifyStatic, { root: staticDir, prefix: '/console/', wildcard: false, index: ['index.html'] });
  app.get('/console/*', { schema: { hide: true } }, async (request, reply) => {
    if (request.url.startsWith('/console/api/')) throw notFound('Route not found');
    return reply.type('text/html').sendFile('index.html');
  });
}
