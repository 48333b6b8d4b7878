import type { Db } from '@platform/db-kit';
import { envelope, errorResponses, ok, requireAuth, type HttpApp } from '@platform/http-kit';
import { preferencesRepository } from '../data/preferences-repository.js';
import { Preferences, PreferencesInput } from './schemas.js';

/** The caller's own preferences; PUT replaces all four switches at once. */
export function preferencesRoutes(app: HttpApp, db: Db): void {
  const repo = preferencesRepository(db);

  app.get('/api/v1/notifications/preferences', {
    onRequest: [requireAuth()],
    schema: { tags: ['notifications'], summary: 'Own preferences', response: { 200: envelope(Preferences), ...errorResponses(401) } },
  }, async (request, reply) => ok(reply, await repo.get(request.user.sub)));

  app.put('/api/v1/notifications/preferences', {
    onRequest: [requireAuth()],
    schema: {
      tags: ['notifications'],
      summary: 'Replace own preferences (account and security messages are always sent)',
      body: PreferencesInput,
      response: { 200: envelope(Preferences), ...errorResponses(400, 401) },
    },
  }, async (request, reply) => ok(reply, await repo.put(request.user.sub, request.body)));
}
