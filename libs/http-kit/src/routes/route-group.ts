import type { onRequestHookHandler, RouteOptions } from 'fastify';
import type { HttpApp } from '../create-http-app.js';

/**
 * The one shape of a route module in every app: it is given the app (or a route group's scope)
 * and the app's `deps`, and adds routes. Nothing else is passed around.
 */
export type RouteRegistrar<TDeps> = (app: HttpApp, deps: TDeps) => void | Promise<void>;

export interface RouteGroupOptions {
  /** Path prefix of every route of the group, e.g. `/api/v1/users` (routes then say `/me`, or `''` for the prefix itself). */
  prefix: string;
  /** OpenAPI tags of routes that name none themselves. */
  tags?: string[];
  /**
   * Guard run before each route's own `onRequest` hooks: `requireAuth()`, `requireRole('admin')`.
   * Routes may add a narrower guard of their own. Absent: the group's routes are public.
   */
  auth?: onRequestHookHandler;
}

/**
 * Registrars under one prefix, with the auth guard and the OpenAPI tags set once. The guard is
 * put at the head of every route's `onRequest` (so OpenAPI marks the route `bearerAuth`, as the
 * guards do when a route names them itself).
 */
export function routeGroup<TDeps>(options: RouteGroupOptions, ...registrars: Array<RouteRegistrar<TDeps>>): RouteRegistrar<TDeps> {
  const { prefix, tags, auth } = options;
  return async (app, deps) => {
    await app.register(
      async (group) => {
        group.addHook('onRoute', (route: RouteOptions) => {
          if (route.schema?.hide === true) return;
          if (tags && route.schema && route.schema.tags === undefined) route.schema.tags = tags;
          if (auth) {
            route.onRequest = [auth, ...[route.onRequest ?? []].flat()];
            // The app's OpenAPI hook ran before this scope's: mark the route as it would have.
            route.schema = { security: [{ bearerAuth: [] }], ...route.schema };
          }
        });
        for (const register of registrars) await register(group, deps);
      },
      { prefix },
    );
  };
}
