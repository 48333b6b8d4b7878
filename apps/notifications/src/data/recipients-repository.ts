import { clientOf, type DbOrTx } from '@platform/db-kit';
import { sql } from 'drizzle-orm';
import { defaultPreferences, type Preferences } from '../domain/preferences.js';
import { recipients } from './schema.js';

/** What a message needs of its recipient. */
export interface MessageRecipient {
  email: string | null;
  fullName: string | null;
  active: boolean;
}

// The recipient and their preferences in one prepared read (either may be missing).
const recipientForMessage = `
  select r.email, r.full_name, r.active, p.email_billing, p.email_marketing, p.in_app_billing, p.in_app_marketing
  from (select $1::uuid as user_id) k
  left join recipients r on r.user_id = k.user_id
  left join preferences p on p.user_id = k.user_id`;
interface RecipientForMessageRow {
  email: string | null;
  full_name: string | null;
  active: boolean | null;
  email_billing: boolean | null;
  email_marketing: boolean | null;
  in_app_billing: boolean | null;
  in_app_marketing: boolean | null;
}

// Prepared (one round trip once the connection knows them); `last_event_at <` is the ordering rule.
// The user's pending e-mails follow a new address by the recipients triggers (migration 0004), in
// the same transaction: not in this statement, which every users event runs, address changed or not.
const upsertSnapshot = `
  insert into recipients as r (user_id, email, full_name, role, active, last_event_at)
  values ($1, $2, $3, $4, $5, $6)
  on conflict (user_id) do update set
    email = excluded.email, full_name = excluded.full_name, role = excluded.role, active = excluded.active,
    last_event_at = excluded.last_event_at, updated_at = now()
  where r.last_event_at < excluded.last_event_at
  returning r.user_id`;

export interface RecipientSnapshot {
  userId: string;
  email: string;
  fullName: string;
  role: string;
  active: boolean;
  occurredAt: Date;
}

function upsertStatement(db: DbOrTx, s: RecipientSnapshot) {
  return clientOf(db).unsafe(upsertSnapshot, [s.userId, s.email, s.fullName, s.role, s.active, s.occurredAt.toISOString()], { prepare: true });
}

/** Recipients as users events describe them; an event older than the row's last one changes nothing. */
export function recipientsRepository(db: DbOrTx) {
  // Built per event by the users consumer: no drizzle SQL built up front (only deactivations use
  // one) and no arrow bound to a name (tsx's keepNames gives each an Object.defineProperty call).
  return {
    /** The recipient (undefined while no users event told us of them) and their preferences (defaults without a row). */
    async findForMessage(userId: string): Promise<{ recipient: MessageRecipient | undefined; preferences: Preferences }> {
      const [row] = await clientOf(db).unsafe<RecipientForMessageRow[]>(recipientForMessage, [userId], { prepare: true });
      const recipient = row?.active == null ? undefined : { email: row.email, fullName: row.full_name, active: row.active };
      // The preference columns are not null: one set means the row exists and all are.
      const preferences =
        row?.email_billing == null
          ? defaultPreferences
          : {
              email: { billing: row.email_billing, marketing: row.email_marketing as boolean },
              inApp: { billing: row.in_app_billing as boolean, marketing: row.in_app_marketing as boolean },
            };
      return { recipient, preferences };
    },

    /**
     * Returns true when the snapshot was newer than what we had (or the first one). When it gave
     * the recipient a new address, the user's pending deliveries have taken it (the triggers).
     */
    async upsertIfNewer(s: RecipientSnapshot): Promise<boolean> {
      const rows = await upsertStatement(db, s);
      return rows.length > 0;
    },

    /** `upsertIfNewer`'s statement, not started (for a consumer's `ctx.sendWithCommit`): a row back when it applied. */
    upsertStatement(s: RecipientSnapshot) {
      return upsertStatement(db, s);
    },

    /** Deactivation may arrive before anything else about the user: the row then has no address. */
    async deactivateIfNewer(userId: string, occurredAt: Date): Promise<boolean> {
      const rows = await db
        .insert(recipients)
        .values({ userId, active: false, lastEventAt: occurredAt })
        .onConflictDoUpdate({
          target: recipients.userId,
          set: { active: false, lastEventAt: occurredAt, updatedAt: new Date() },
          setWhere: sql`${recipients.lastEventAt} < excluded.last_event_at`,
        })
        .returning({ userId: recipients.userId });
      return rows.length > 0;
    },

  };
}
