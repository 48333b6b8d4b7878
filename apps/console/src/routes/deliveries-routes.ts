import * as z from 'zod';
import { isApiError, type PlatformClient } from '@platform/client';
import { AppError, errorResponses, pagedEnvelope, paginationQuery, serviceUnavailable, type HttpApp } from '@platform/http-kit';

const delivery = z.object({
  id: z.string(),
  userId: z.string(),
  to: z.string().nullable(),
  template: z.string(),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number(),
  lastError: z.string().nullable(),
  sentAt: z.string().nullable(),
});

/**
 * E-mail deliveries come from the notifications service's admin route, through the gateway and
 * with the admin's own token: the console reads no service's database, and notifications applies
 * its own admin check as it would for any client.
 */
export function deliveriesRoutes(app: HttpApp, gateway: PlatformClient, timeoutMs: number): void {
  app.get(
    '/console/api/deliveries',
    {
      schema: {
        tags: ['console'],
        summary: 'E-mail deliveries, newest first',
        querystring: paginationQuery.extend({ status: z.enum(['pending', 'sent', 'failed']).optional(), userId: z.uuid().optional() }).strict(),
        response: { 200: pagedEnvelope(delivery), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      try {
        const answer = await gateway.GET('/api/v1/notifications/deliveries', {
          params: { query: request.query },
          headers: { authorization: request.headers.authorization ?? '' },
          timeoutMs,
        });
        return { ...answer, module: reply.server.serviceName, requestId: request.id };
      } catch (error) {
        if (isApiError(error) && error.status < 500) throw new AppError(error.code, error.message);
        throw serviceUnavailable('The notifications service did not answer; try again');
      }
    },
  );
}
