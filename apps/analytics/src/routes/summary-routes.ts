import { envelope, errorResponses, ok, type RouteRegistrar } from '@platform/http-kit';
import * as z from 'zod';
import type { AnalyticsDeps } from '../deps.js';
import { getSummary } from '../use-cases/get-summary.js';
import { assertRange, rangeQuery } from './schemas.js';

const perCurrency = z.record(z.string(), z.number().int());

const Summary = z.object({
  users: z.object({ total: z.number().int(), active: z.number().int(), registered: z.number().int() }),
  billing: z.object({ invoicesIssued: z.number().int(), revenueMinor: perCurrency, outstandingMinor: perCurrency }),
  notifications: z.object({ sent: z.number().int(), failed: z.number().int() }),
  events: z.object({ stored: z.number().int(), unknown: z.number().int() }),
});

/** `GET /summary?from&to`: flows inside [from, to), balances as of `to` (see the use case). */
export const summaryRoutes: RouteRegistrar<AnalyticsDeps> = (app, deps) => {
  app.get('/summary', {
    schema: {
      summary: 'Users, billing and notification metrics for a range (admin)',
      querystring: z.strictObject(rangeQuery),
      response: { 200: envelope(Summary), ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const from = request.query.from ?? null;
    const to = request.query.to ?? null;
    assertRange(from, to);
    return ok(reply, await getSummary(deps, from, to));
  });
};
