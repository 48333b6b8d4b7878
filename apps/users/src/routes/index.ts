import { requireAuth, routeGroup } from '@platform/http-kit';
import type { UsersDeps } from '../deps.js';
import { adminRoutes } from './admin-routes.js';
import { authRoutes } from './auth-routes.js';
import { directoryRoutes } from './directory-routes.js';
import { meRoutes } from './me-routes.js';

/** Every route of the users service, by prefix: `/api/v1/auth` is public, `/api/v1/users` needs a token. */
export const usersRoutes = [
  routeGroup<UsersDeps>({ prefix: '/api/v1/auth', tags: ['auth'] }, authRoutes),
  routeGroup<UsersDeps>({ prefix: '/api/v1/users', tags: ['users'], auth: requireAuth() }, meRoutes, directoryRoutes, adminRoutes),
];
