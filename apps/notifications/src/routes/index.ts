import { requireAuth, routeGroup } from '@platform/http-kit';
import type { NotificationsDeps } from '../deps.js';
import { deliveriesRoutes } from './deliveries-routes.js';
import { inAppRoutes } from './in-app-routes.js';
import { preferencesRoutes } from './preferences-routes.js';

/** Every route of the notifications service: all under `/api/v1/notifications`, all with a token (deliveries: admin). */
export const notificationsRoutes = [
  routeGroup<NotificationsDeps>({ prefix: '/api/v1/notifications', tags: ['notifications'], auth: requireAuth() }, inAppRoutes, preferencesRoutes, deliveriesRoutes),
];
