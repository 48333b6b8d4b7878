import { envelope, errorResponses, ok, type RouteRegistrar } from '@platform/http-kit';
import * as z from 'zod';
import type { RebuildRun } from '../data/rebuild-runs.js';
import type { AnalyticsDeps } from '../deps.js';
import { getRebuildStatus } from '../use-cases/get-rebuild-status.js';
import { startRebuild } from '../use-cases/start-rebuild.js';

const Run = z.object({
  id: z.uuid(),
  status: z.enum(['running', 'succeeded', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  eventsReplayed: z.number().int(),
  error: z.string().nullable(),
});

const toDto = (run: RebuildRun) => ({
  id: run.id,
  status: run.status,
  startedAt: run.startedAt.toISOString(),
  finishedAt: run.finishedAt?.toISOString() ?? null,
  eventsReplayed: run.eventsReplayed,
  error: run.error,
});

/** `POST /rebuild` → 202 (409 while one runs); `GET /rebuild` → the latest run, or null. */
export const rebuildRoutes: RouteRegistrar<AnalyticsDeps> = (app, deps) => {
  app.post('/rebuild', {
    schema: {
      summary: 'Replay every stream into fresh tables and swap them in (admin)',
      response: { 202: envelope(Run), ...errorResponses(401, 403, 409) },
    },
  }, async (request, reply) => {
    const run = await startRebuild(deps, request.user.sub);
    reply.code(202);
    return ok(reply, toDto(run), 'Rebuild started');
  });

  app.get('/rebuild', {
    schema: {
      summary: 'Status of the latest rebuild (admin)',
      response: { 200: envelope(Run.nullable()), ...errorResponses(401, 403) },
    },
  }, async (_request, reply) => {
    const run = await getRebuildStatus(deps);
    return ok(reply, run ? toDto(run) : null);
  });
};
