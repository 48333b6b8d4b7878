import { envelope, errorResponses, ok, requireAuth, type HttpApp } from '@platform/http-kit';
import type { NotificationsDeps } from '../deps.js';
import { getPreferences } from '../use-cases/get-preferences.js';
import { replacePreferences } from '../use-cases/replace-preferences.js';
import { Preferences, PreferencesInput } from './schemas.js';

/** The caller's own preferences; PUT replaces all four switches at once. */
export function preferencesRoutes(app: HttpApp, deps: NotificationsDeps): void {
  app.get('/api/v1/notifications/preferences', {
    onRequest: [requireAuth()],
    schema: { tags: ['notifications'], summary: 'Own preferences', response: { 200: envelope(Preferences), ...errorResponses(401) } },
  }, async (request, reply) => ok(reply, await getPreferences(deps, request.user.sub)));

  app.put('/api/v1/notifications/preferences', {
    onRequest: [requireAuth()],
    schema: {
      tags: ['notifications'],
      summary: 'Replace own preferences (account and security messages are always sent)',
      body: PreferencesInput,
      response: { 200: envelope(Preferences), ...errorResponses(400, 401) },
    },
  }, async (request, reply) => ok(reply, await replacePreferences(deps, request.user.sub, request.body)));
}
