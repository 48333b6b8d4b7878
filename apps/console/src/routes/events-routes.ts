import * as z from 'zod';
import { envelope, errorResponses, notFound, ok, type HttpApp } from '@platform/http-kit';
import type { EventOperations } from '../sources/event-operations.js';

const subjectFilter = z.string().regex(/^[a-z0-9_.*>-]{1,200}$/, 'a subject (letters, digits, . _ - * >)');
const deadLetter = z.object({
  id: z.string(),
  seq: z.number(),
  subject: z.string(),
  originalSubject: z.string(),
  service: z.string(),
  consumer: z.string(),
  eventId: z.string().nullable(),
  eventType: z.string().nullable(),
  reason: z.string(),
  attempts: z.number(),
  deadLetteredAt: z.string(),
});
const deadLetterDetail = deadLetter.extend({ headers: z.record(z.string(), z.string()), payload: z.unknown() });
const idList = z.strictObject({
  ids: z.array(z.string().regex(/^\d{1,20}$/, 'a dead letter id')).min(1).max(100),
  /** The UI's confirmation: an action on dead letters is never taken by a stray request. */
  confirm: z.literal(true),
});
const event = z.object({
  seq: z.number(),
  subject: z.string(),
  type: z.string().nullable(),
  eventId: z.string().nullable(),
  occurredAt: z.string().nullable(),
  correlationId: z.string().nullable(),
});

/** Dead letters (list, show, re-drive, purge) and recent events, through the messaging operations API. */
export function eventsRoutes(app: HttpApp, events: EventOperations): void {
  app.get(
    '/console/api/dead-letters',
    {
      schema: {
        tags: ['console'],
        summary: 'Dead letters, newest first',
        querystring: z.strictObject({ service: z.string().regex(/^[a-z]{1,30}$/).optional(), subject: subjectFilter.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: envelope(z.array(deadLetter)), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => ok(reply, await events.listDeadLetters(request.query)),
  );

  app.get(
    '/console/api/dead-letters/:id',
    {
      schema: {
        tags: ['console'],
        summary: 'One dead letter with its headers and payload',
        params: z.strictObject({ id: z.string().regex(/^\d{1,20}$/, 'a dead letter id') }),
        response: { 200: envelope(deadLetterDetail), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const found = await events.showDeadLetter(request.params.id);
      if (!found) throw notFound('No such dead letter');
      return ok(reply, found);
    },
  );

  app.post(
    '/console/api/dead-letters/redrive',
    {
      schema: {
        tags: ['console'],
        summary: 'Re-drive dead letters to their original subject (consumers are idempotent: each effect once)',
        body: idList,
        response: { 200: envelope(z.object({ redriven: z.number(), skipped: z.array(z.object({ id: z.string(), reason: z.string() })) })), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const result = await events.redriveDeadLetters(request.body.ids);
      request.log.info({ adminId: request.user.sub, action: 'console.dead-letters.redrive', ids: request.body.ids, ...result }, 'dead letters re-driven');
      return ok(reply, result);
    },
  );

  app.post(
    '/console/api/dead-letters/purge',
    {
      schema: {
        tags: ['console'],
        summary: 'Remove dead letters for good',
        body: idList,
        response: { 200: envelope(z.object({ purged: z.number() })), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const result = await events.purgeDeadLetters(request.body.ids);
      request.log.info({ adminId: request.user.sub, action: 'console.dead-letters.purge', ids: request.body.ids, ...result }, 'dead letters purged');
      return ok(reply, result);
    },
  );

  app.get(
    '/console/api/events',
    {
      schema: {
        tags: ['console'],
        summary: 'Recent events on the streams, newest first',
        querystring: z.strictObject({
          stream: z.enum(['users', 'billing', 'notifications']).optional(),
          subject: subjectFilter.optional(),
          correlationId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: envelope(z.array(event)), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { correlationId, ...filter } = request.query;
      const list = await events.recentEvents(correlationId ? { ...filter, limit: 200 } : filter);
      return ok(reply, correlationId ? list.filter((e) => e.correlationId === correlationId).slice(0, filter.limit) : list);
    },
  );
}
