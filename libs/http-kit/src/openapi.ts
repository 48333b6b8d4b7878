import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { isAuthGuard } from './auth/auth-plugin.js';

export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
  /** `false`: build the document (`app.swagger()`) but serve no `GET /openapi.json` (the gateway serves a merged one). */
  serveDocument?: boolean;
}

export const OPENAPI_PATH = '/openapi.json';

/**
 * Must be registered before any route: @fastify/swagger collects routes through `onRoute`.
 * The document is served raw (OpenAPI 3), not enveloped; the gateway merges these documents.
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions, withAuth: boolean): Promise<void> {
  if (withAuth) {
    // Routes guarded by requireAuth/requireRole/app.authenticate show as needing a bearer token.
    app.addHook('onRoute', (route) => {
      const hooks = [route.onRequest, route.preValidation, route.preHandler].flat();
      if (hooks.some(isAuthGuard)) route.schema = { security: [{ bearerAuth: [] }], ...route.schema };
    });
  }
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title, version: options.version, description: options.description },
      components: withAuth
        ? { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } }
        : {},
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  if (options.serveDocument === false) return;
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async (_request, reply) => {
    return reply.type('application/json; charset=utf-8').send(app.swagger());
  });
}
