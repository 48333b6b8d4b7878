import { findPage, type DbOrTx, type Page } from '@platform/db-kit';
import { and, count, desc, eq, inArray, notInArray, sql, type SQL } from 'drizzle-orm';
import { deliveries, recipients, type DeliveryRow } from './schema.js';

export type NewDelivery = typeof deliveries.$inferInsert;
export type DeliveryStatus = DeliveryRow['status'];

/** E-mail deliveries: written by consumers, claimed and settled by the delivery sender. */
export function deliveriesRepository(db: DbOrTx) {
  return {
    async insertOnce(row: NewDelivery): Promise<DeliveryRow | null> {
      // The statement's clock, not the transaction's now(): several events share a consumer's
      // transaction, and the newest-first list and the send order must still tell them apart.
      const at = sql`clock_timestamp()`;
      const [inserted] = await db
        .insert(deliveries)
        .values({ createdAt: at, nextAttemptAt: at, ...row })
        .onConflictDoNothing()
        .returning();
      return inserted ?? null;
    },

    /** Settles every pending e-mail of a user as failed (deactivation); returns them for the events. */
    async failPendingOf(userId: string, reason: string): Promise<DeliveryRow[]> {
      return db
        .update(deliveries)
        .set({ status: 'failed', lastError: reason, updatedAt: new Date() })
        .where(and(eq(deliveries.userId, userId), eq(deliveries.status, 'pending')))
        .returning();
    },

    /**
     * Takes up to `limit` due deliveries that have an address and an active recipient. A row made
     * without an address while the recipient's first row was committing (neither transaction saw
     * the other, so the readdress trigger missed it) takes the recipient's address here, so it is
     * never stranded until the next address change. SKIP LOCKED
     * lets replicas claim disjoint rows; pushing `next_attempt_at` past the send timeout is the
     * lease, so the claim commits at once (no transaction held open over SMTP) and a crashed
     * sender's rows come back by themselves when the lease runs out. `excluding`: rows this
     * sender already sent whose outcome it is still recording.
     */
    async claimDue(limit: number, leaseMs: number, excluding: string[] = []): Promise<DeliveryRow[]> {
      const due = db
        .select({ id: deliveries.id })
        .from(deliveries)
        .where(
          and(
            eq(deliveries.status, 'pending'),
            sql`(${deliveries.to} is not null or exists (select 1 from ${recipients} where ${recipients.userId} = ${deliveries.userId} and ${recipients.email} is not null))`,
            sql`${deliveries.nextAttemptAt} <= now()`,
            sql`not exists (select 1 from ${recipients} where ${recipients.userId} = ${deliveries.userId} and ${recipients.active} = false)`,
            excluding.length > 0 ? notInArray(deliveries.id, excluding) : undefined,
          ),
        )
        .orderBy(deliveries.nextAttemptAt)
        .limit(limit)
        .for('update', { skipLocked: true });
      return db
        .update(deliveries)
        .set({
          to: sql`coalesce(${deliveries.to}, (select ${recipients.email} from ${recipients} where ${recipients.userId} = ${deliveries.userId}))`,
          attempts: sql`${deliveries.attempts} + 1`,
          nextAttemptAt: sql`now() + make_interval(secs => ${leaseMs / 1000})`,
          updatedAt: new Date(),
        })
        .where(inArray(deliveries.id, due))
        .returning();
    },

    /** Only a row still pending is settled (a deactivation may have failed it meanwhile). */
    async markSent(id: string): Promise<boolean> {
      const rows = await db
        .update(deliveries)
        .set({ status: 'sent', sentAt: new Date(), lastError: null, updatedAt: new Date() })
        .where(and(eq(deliveries.id, id), eq(deliveries.status, 'pending')))
        .returning({ id: deliveries.id });
      return rows.length > 0;
    },

    async retryLater(id: string, error: string, delayMs: number): Promise<void> {
      await db
        .update(deliveries)
        .set({ lastError: error, nextAttemptAt: sql`now() + make_interval(secs => ${delayMs / 1000})`, updatedAt: new Date() })
        .where(and(eq(deliveries.id, id), eq(deliveries.status, 'pending')));
    },

    async markFailed(id: string, error: string): Promise<boolean> {
      const rows = await db
        .update(deliveries)
        .set({ status: 'failed', lastError: error, updatedAt: new Date() })
        .where(and(eq(deliveries.id, id), eq(deliveries.status, 'pending')))
        .returning({ id: deliveries.id });
      return rows.length > 0;
    },

    list(query: { page: number; pageSize: number; userId?: string; status?: DeliveryStatus }): Promise<Page<DeliveryRow>> {
      const filters: SQL[] = [];
      if (query.userId) filters.push(eq(deliveries.userId, query.userId));
      if (query.status) filters.push(eq(deliveries.status, query.status));
      const where = filters.length ? and(...filters) : undefined;
      return findPage(
        query,
        ({ limit, offset }) =>
          db.select().from(deliveries).where(where).orderBy(desc(deliveries.createdAt), desc(deliveries.id)).limit(limit).offset(offset),
        async () => (await db.select({ n: count() }).from(deliveries).where(where))[0]?.n ?? 0,
      );
    },
  };
}

