import type { FastifyInstance } from 'fastify';
import { ASYNCAPI_PATH, asyncApiDocument } from '@platform/contracts';
import { OPENAPI_PATH } from '@platform/http-kit';
import { upstreamNames, type GatewayConfig } from '../config.js';
import { httpGet } from '../http-get.js';
import type { Upstreams } from '../proxy/replicas.js';
import { registerSwaggerUi } from './docs-ui.js';
import { mergeOpenApi, type OpenApiDocument } from './merge.js';

async function fetchDocument(baseUrl: string, timeoutMs: number): Promise<OpenApiDocument> {
  const answer = await httpGet(new URL(OPENAPI_PATH, baseUrl), { timeoutMs, accept: 'application/json' });
  if (!answer.ok) throw new Error(`answered ${answer.status}`);
  const document = JSON.parse(answer.body) as OpenApiDocument;
  if (typeof document?.openapi !== 'string' || typeof document.paths !== 'object') throw new Error('not an OpenAPI 3 document');
  return document;
}

/**
 * `GET /openapi.json`: the gateway's own document merged with every service's, fetched in
 * parallel with a timeout and reused for a short while; a service that is down contributes
 * nothing (it reappears on the next merge). `GET /docs`: Swagger UI over that document, loaded
 * on its first request (docs-ui.ts).
 * `GET /asyncapi.json`: the events (AsyncAPI 3), built from the contracts lib this gateway was
 * built with. Registered only when docs are enabled (never in production unless DOCS_ENABLED=true).
 */
export function registerDocs(app: FastifyInstance, config: GatewayConfig, upstreams: Upstreams): void {
  let cached: { document: OpenApiDocument; at: number } | undefined;
  let building: Promise<OpenApiDocument> | undefined;

  async function build(): Promise<OpenApiDocument> {
    const results = await Promise.all(
      upstreamNames.map(async (name) => {
        try {
          return { name, document: await fetchDocument(upstreams[name].pick() as string, config.openapi.fetchTimeoutMs) };
        } catch (error) {
          app.log.warn({ upstream: name, reason: (error as Error).message }, 'OpenAPI document unavailable');
          return undefined;
        }
      }),
    );
    const document = mergeOpenApi(app.swagger() as unknown as OpenApiDocument, results.filter((r) => r !== undefined));
    cached = { document, at: Date.now() };
    return document;
  }

  async function merged(): Promise<OpenApiDocument> {
    if (cached && Date.now() - cached.at < config.openapi.cacheMs) return cached.document;
    building ??= build().finally(() => {
      building = undefined;
    });
    return building;
  }

  app.get(OPENAPI_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(await merged()),
  );

  // The contracts are code: the document is the same for the life of the process, built when
  // first asked for (converting every event schema is boot work no request needs).
  let asyncApi: string | undefined;
  app.get(ASYNCAPI_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send((asyncApi ??= JSON.stringify(asyncApiDocument()))),
  );

  registerSwaggerUi(app, merged);
}
