import { requireRole, routeGroup } from '@platform/http-kit';
import type { AnalyticsDeps } from '../deps.js';
import { eventsRoutes } from './events-routes.js';
import { rebuildRoutes } from './rebuild-routes.js';
import { summaryRoutes } from './summary-routes.js';
import { timeseriesRoutes } from './timeseries-routes.js';

/** Every route of the analytics service: all under `/api/v1/analytics`, all admin only. */
export const analyticsRoutes = [
  routeGroup<AnalyticsDeps>({ prefix: '/api/v1/analytics', tags: ['analytics'], auth: requireRole('admin') }, summaryRoutes, timeseriesRoutes, eventsRoutes, rebuildRoutes),
];
