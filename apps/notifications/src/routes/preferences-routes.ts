import { envelope, errorResponses, ok, type RouteRegistrar } from '@platform/http-kit';
import type { NotificationsDeps } from '../deps.js';
import { getPreferences } from '../use-cases/get-preferences.js';
import { replacePreferences } from '../use-cases/replace-preferences.js';
import { Preferences, PreferencesInput } from './schemas.js';

/** `/preferences`: the caller's own; PUT replaces all four switches at once. */
export const preferencesRoutes: RouteRegistrar<NotificationsDeps> = (app, deps) => {
  app.get('/preferences', {
    schema: { summary: 'Own preferences', response: { 200: envelope(Preferences), ...errorResponses(401) } },
  }, async (request, reply) => ok(reply, await getPreferences(deps, request.user.sub)));

  app.put('/preferences', {
    schema: {
      summary: 'Replace own preferences (account and security messages are always sent)',
      body: PreferencesInput,
      response: { 200: envelope(Preferences), ...errorResponses(400, 401) },
    },
  }, async (request, reply) => ok(reply, await replacePreferences(deps, request.user.sub, request.body)));
};
