import { envelope, errorResponses, idParams, ok, page, pagedEnvelope, type RouteRegistrar } from '@platform/http-kit';
import * as z from 'zod';
import type { NotificationsDeps } from '../deps.js';
import { listNotifications } from '../use-cases/list-notifications.js';
import { markAllRead } from '../use-cases/mark-all-read.js';
import { markNotificationRead } from '../use-cases/mark-notification-read.js';
import { listNotificationsQuery, Notification, toNotification } from './schemas.js';

/** The caller's own in-app notifications: list, mark one read, mark all read. */
export const inAppRoutes: RouteRegistrar<NotificationsDeps> = (app, deps) => {
  app.get('', {
    schema: {
      summary: 'Own in-app notifications, newest first',
      querystring: listNotificationsQuery,
      response: { 200: pagedEnvelope(Notification), ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const result = await listNotifications(deps, request.user.sub, request.query);
    // The read answers in the response's shape already (data/notification-reads.ts).
    return page(reply, result, request.query);
  });

  app.post('/read-all', {
    schema: {
      summary: 'Mark every own in-app notification read',
      response: { 200: envelope(z.object({ updated: z.number().int() })), ...errorResponses(401) },
    },
  }, async (request, reply) => ok(reply, { updated: await markAllRead(deps, request.user.sub) }));

  app.post('/:id/read', {
    schema: {
      summary: 'Mark one own notification read (idempotent)',
      params: idParams,
      response: { 200: envelope(Notification), ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => ok(reply, toNotification(await markNotificationRead(deps, request.user.sub, request.params.id))));
};
