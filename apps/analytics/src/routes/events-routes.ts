import { errorResponses, page, pagedEnvelope, paginationQuery, queryBoolean, type RouteRegistrar } from '@platform/http-kit';
import * as z from 'zod';
import type { AnalyticsDeps } from '../deps.js';
import { listEvents } from '../use-cases/list-events.js';
import { assertRange, rangeQuery } from './schemas.js';

const EventsQuery = z.strictObject({
  ...paginationQuery.shape,
  type: z.string().min(1).max(200).optional(),
  ...rangeQuery,
  known: queryBoolean('known').optional(),
});

const StoredEvent = z.object({
  id: z.uuid(),
  type: z.string(),
  version: z.number().int(),
  source: z.string(),
  stream: z.string(),
  occurredAt: z.string(),
  receivedAt: z.string(),
  correlationId: z.string(),
  known: z.boolean(),
  data: z.record(z.string(), z.unknown()),
});

/** `GET /events?type&from&to&known&page&pageSize`: the stored log, newest first. */
export const eventsRoutes: RouteRegistrar<AnalyticsDeps> = (app, deps) => {
  app.get('/events', {
    schema: {
      summary: 'Page of stored events (admin)',
      querystring: EventsQuery,
      response: { 200: pagedEnvelope(StoredEvent), ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const { type, from, to, known, page: pageNo, pageSize } = request.query;
    assertRange(from ?? null, to ?? null);
    const result = await listEvents(deps, { type, from, to, known }, { page: pageNo, pageSize });
    const items = result.items.map((e) => ({
      id: e.eventId,
      type: e.type,
      version: e.version,
      source: e.source,
      stream: e.stream,
      occurredAt: e.occurredAt.toISOString(),
      receivedAt: e.receivedAt.toISOString(),
      correlationId: e.correlationId,
      known: e.known,
      data: e.data as Record<string, unknown>,
    }));
    return page(reply, { items, total: result.total }, { page: pageNo, pageSize });
  });
};
