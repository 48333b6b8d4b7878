import fastifySwagger, { type StaticDocumentSpec } from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { OpenApiDocument } from './merge.js';

/** Connection-level headers of the inner answer: this reply's own connection sets them. */
const NOT_COPIED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date']);

/**
 * Swagger UI in an instance of its own, with the gateway's own document behind it (what
 * `/docs/yaml` shows, as before) and `/docs/json` answering the merged one.
 */
async function buildUi(app: FastifyInstance, merged: () => Promise<OpenApiDocument>): Promise<FastifyInstance> {
  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  const ui = Fastify({ logger: false });
  // The plugin needs @fastify/swagger on its instance: the static mode serves a given document
  // (the gateway's is OpenAPI 3.0, which the static mode's type does not list under that name).
  const document = app.swagger() as unknown as StaticDocumentSpec['document'];
  await ui.register(fastifySwagger, { mode: 'static', specification: { document } });
  await ui.register(swaggerUi, {
    routePrefix: '/docs',
    // Swagger UI's own CSP replaces helmet's strict default on these pages only.
    staticCSP: true,
    uiConfig: { deepLinking: true, persistAuthorization: false },
    uiHooks: {
      // The UI reads ./json: answer it with the merged document, not just the gateway's.
      onRequest: async (request, reply) => {
        if (request.routeOptions.url === '/docs/json') return reply.type('application/json; charset=utf-8').send(await merged());
      },
    },
  });
  await ui.ready();
  return ui;
}

/**
 * `GET /docs` (Swagger UI), loaded on its first request rather than at boot: @fastify/swagger-ui
 * brings @fastify/static, `yaml` and their dependencies (~70 CommonJS files from node_modules: it
 * stays external, it serves files from its own folder), memory every gateway held idle for a page
 * a developer opens now and then. Fastify takes no routes once started, so `/docs` and `/docs/*`
 * exist from the start and hand each request to that instance (built once, by the first one);
 * its answer goes out through this app's reply, so request ids, security headers, rate limits,
 * metrics and the envelope of a 404 or an error are the gateway's, as before.
 */
export function registerSwaggerUi(app: FastifyInstance, merged: () => Promise<OpenApiDocument>): void {
  let ui: Promise<FastifyInstance> | undefined;
  const loaded = () =>
    (ui ??= buildUi(app, merged).catch((error: unknown) => {
      ui = undefined; // the next request tries again
      throw error;
    }));

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const inner = await (await loaded()).inject({ method: request.method as 'GET' | 'HEAD', url: request.url, headers: request.headers });
    if (inner.statusCode === 404) return reply.callNotFound();
    if (inner.statusCode >= 400) throw Object.assign(new Error(inner.statusMessage), { statusCode: inner.statusCode });
    for (const [name, value] of Object.entries(inner.headers)) {
      if (value !== undefined && !NOT_COPIED.has(name)) reply.header(name, value);
    }
    return reply.code(inner.statusCode).send(inner.rawPayload);
  };
  app.get('/docs', { schema: { hide: true } }, serve);
  app.get('/docs/*', { schema: { hide: true } }, serve);
  app.addHook('onClose', async () => {
    const built = await ui?.catch(() => undefined);
    await built?.close();
  });
}
