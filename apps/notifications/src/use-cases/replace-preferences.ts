import { preferencesRepository } from '../data/preferences-repository.js';
import type { NotificationsDeps } from '../deps.js';
import type { Preferences } from '../domain/preferences.js';

/** Replaces all four switches at once (account and security messages go out whatever they say). */
export function replacePreferences({ db }: Pick<NotificationsDeps, 'db'>, userId: string, preferences: Preferences): Promise<Preferences> {
  return preferencesRepository(db).put(userId, preferences);
}
