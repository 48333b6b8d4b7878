import type { DbOrTx } from '@platform/db-kit';
import { eq, sql } from 'drizzle-orm';
import { recipients, type RecipientRow } from './schema.js';

export interface RecipientSnapshot {
  userId: string;
  email: string;
  fullName: string;
  role: string;
  active: boolean;
  occurredAt: Date;
}

/** Recipients as users events describe them; an event older than the row's last one changes nothing. */
export function recipientsRepository(db: DbOrTx) {
  const newer = sql`${recipients.lastEventAt} < excluded.last_event_at`;
  return {
    async find(userId: string): Promise<RecipientRow | undefined> {
      const [row] = await db.select().from(recipients).where(eq(recipients.userId, userId));
      return row;
    },

    /** Returns true when the snapshot was newer than what we had (or the first one). */
    async upsertIfNewer(s: RecipientSnapshot): Promise<boolean> {
      const rows = await db
        .insert(recipients)
        .values({ userId: s.userId, email: s.email, fullName: s.fullName, role: s.role, active: s.active, lastEventAt: s.occurredAt })
        .onConflictDoUpdate({
          target: recipients.userId,
          set: { email: s.email, fullName: s.fullName, role: s.role, active: s.active, lastEventAt: s.occurredAt, updatedAt: new Date() },
          setWhere: newer,
        })
        .returning({ userId: recipients.userId });
      return rows.length > 0;
    },

    /** Deactivation may arrive before anything else about the user: the row then has no address. */
    async deactivateIfNewer(userId: string, occurredAt: Date): Promise<boolean> {
      const rows = await db
        .insert(recipients)
        .values({ userId, active: false, lastEventAt: occurredAt })
        .onConflictDoUpdate({
          target: recipients.userId,
          set: { active: false, lastEventAt: occurredAt, updatedAt: new Date() },
          setWhere: newer,
        })
        .returning({ userId: recipients.userId });
      return rows.length > 0;
    },

  };
}
