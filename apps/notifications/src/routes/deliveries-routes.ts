import { errorResponses, page, pagedEnvelope, requireRole, type HttpApp } from '@platform/http-kit';
import type { NotificationsDeps } from '../deps.js';
import { listDeliveries } from '../use-cases/list-deliveries.js';
import { Delivery, listDeliveriesQuery, toDelivery } from './schemas.js';

/** E-mail deliveries for operators (admin only), newest first. */
export function deliveriesRoutes(app: HttpApp, deps: NotificationsDeps): void {
  app.get('/api/v1/notifications/deliveries', {
    onRequest: [requireRole('admin')],
    schema: {
      tags: ['notifications'],
      summary: 'E-mail deliveries, filtered by user and status (admin)',
      querystring: listDeliveriesQuery,
      response: { 200: pagedEnvelope(Delivery), ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const result = await listDeliveries(deps, request.query);
    return page(reply, { items: result.items.map(toDelivery), total: result.total }, request.query);
  });
}
