/** Preferences as the API shows them (docs/contract.md §4). */
export interface Preferences {
  email: { billing: boolean; marketing: boolean };
  inApp: { billing: boolean; marketing: boolean };
}

/** What a message is about decides whether preferences apply. */
export type Category = 'account' | 'security' | 'billing' | 'marketing';

export const defaultPreferences: Preferences = {
  email: { billing: true, marketing: false },
  inApp: { billing: true, marketing: true },
};

export interface Channels {
  inApp: boolean;
  email: boolean;
}

/** Account and security messages always go out; billing and marketing follow the user's choice per channel. */
export function channelsFor(category: Category, prefs: Preferences = defaultPreferences): Channels {
  if (category === 'account' || category === 'security') return { inApp: true, email: true };
  return { inApp: prefs.inApp[category], email: prefs.email[category] };
}
