import { errorResponses, page, pagedEnvelope, requireRole, type RouteRegistrar } from '@platform/http-kit';
import type { NotificationsDeps } from '../deps.js';
import { listDeliveries } from '../use-cases/list-deliveries.js';
import { Delivery, listDeliveriesQuery, toDelivery } from './schemas.js';

/** `/deliveries`: e-mail deliveries for operators (admin only), newest first. */
export const deliveriesRoutes: RouteRegistrar<NotificationsDeps> = (app, deps) => {
  app.get('/deliveries', {
    onRequest: [requireRole('admin')],
    schema: {
      summary: 'E-mail deliveries, filtered by user and status (admin)',
      querystring: listDeliveriesQuery,
      response: { 200: pagedEnvelope(Delivery), ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const result = await listDeliveries(deps, request.query);
    return page(reply, { items: result.items.map(toDelivery), total: result.total }, request.query);
  });
};
