import type { Db } from '@platform/db-kit';
import { envelope, errorResponses, notFound, ok, page, pagedEnvelope, requireAuth, type HttpApp } from '@platform/http-kit';
import { z } from 'zod';
import { notificationsRepository } from '../data/notifications-repository.js';
import { idParams, listNotificationsQuery, Notification, toNotification } from './schemas.js';

/** The caller's own in-app notifications: list, mark one read, mark all read. */
export function notificationsRoutes(app: HttpApp, db: Db): void {
  const repo = notificationsRepository(db);

  app.get('/api/v1/notifications', {
    onRequest: [requireAuth()],
    schema: {
      tags: ['notifications'],
      summary: 'Own in-app notifications, newest first',
      querystring: listNotificationsQuery,
      response: { 200: pagedEnvelope(Notification), ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const result = await repo.listInApp(request.user.sub, request.query);
    return page(reply, { items: result.items.map(toNotification), total: result.total }, request.query);
  });

  app.post('/api/v1/notifications/read-all', {
    onRequest: [requireAuth()],
    schema: {
      tags: ['notifications'],
      summary: 'Mark every own in-app notification read',
      response: { 200: envelope(z.object({ updated: z.number().int() })), ...errorResponses(401) },
    },
  }, async (request, reply) => ok(reply, { updated: await repo.markAllRead(request.user.sub) }));

  app.post('/api/v1/notifications/:id/read', {
    onRequest: [requireAuth()],
    schema: {
      tags: ['notifications'],
      summary: 'Mark one own notification read (idempotent)',
      params: idParams,
      response: { 200: envelope(Notification), ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const row = await repo.markRead(request.user.sub, request.params.id);
    // Someone else's notification is indistinguishable from a missing one.
    if (!row) throw notFound('Notification not found');
    return ok(reply, toNotification(row));
  });
}
