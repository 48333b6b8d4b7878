import { clientOf, type DbOrTx } from '@platform/db-kit';
import { eq } from 'drizzle-orm';
import { defaultPreferences, type Preferences } from '../domain/preferences.js';
import { preferences, type PreferencesRow } from './schema.js';

const toColumns = (p: Preferences) => ({
  emailBilling: p.email.billing,
  emailMarketing: p.email.marketing,
  inAppBilling: p.inApp.billing,
  inAppMarketing: p.inApp.marketing,
});

const fromRow = (row: PreferencesRow): Preferences => ({
  email: { billing: row.emailBilling, marketing: row.emailMarketing },
  inApp: { billing: row.inAppBilling, marketing: row.inAppMarketing },
});

/** A user without a row has the defaults (docs/contract.md §4). */
export function preferencesRepository(db: DbOrTx) {
  return {
    async get(userId: string): Promise<Preferences> {
      const [row] = await db.select().from(preferences).where(eq(preferences.userId, userId));
      return row ? fromRow(row) : defaultPreferences;
    },

    /** On registration (prepared: a consumer's statement); never overwrites what the user already chose. */
    async createDefaults(userId: string): Promise<void> {
      const d = toColumns(defaultPreferences);
      await clientOf(db).unsafe(
        'insert into preferences (user_id, email_billing, email_marketing, in_app_billing, in_app_marketing) values ($1, $2, $3, $4, $5) on conflict do nothing',
        [userId, d.emailBilling, d.emailMarketing, d.inAppBilling, d.inAppMarketing],
        { prepare: true },
      );
    },

    async put(userId: string, prefs: Preferences): Promise<Preferences> {
      const values = toColumns(prefs);
      const [row] = await db
        .insert(preferences)
        .values({ userId, ...values })
        .onConflictDoUpdate({ target: preferences.userId, set: { ...values, updatedAt: new Date() } })
        .returning();
      return row ? fromRow(row) : prefs;
    },
  };
}
