import { preferencesRepository } from '../data/preferences-repository.js';
import type { NotificationsDeps } from '../deps.js';
import type { Preferences } from '../domain/preferences.js';

/** The user's preferences, or the defaults if they never saved any. */
export function getPreferences({ db }: Pick<NotificationsDeps, 'db'>, userId: string): Promise<Preferences> {
  return preferencesRepository(db).get(userId);
}
