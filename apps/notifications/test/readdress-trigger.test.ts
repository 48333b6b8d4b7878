// A recipient's pending e-mails follow their address through the recipients triggers (migration
// 0004), not a CTE in every upsert: a new address readdresses them in the change's transaction, a
// snapshot with the same address leaves them as they are, and the migration works on a database
// that already holds recipients and pending e-mails.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { clientOf, runMigrations, type Db, type DbOrTx } from '@platform/db-kit';
import { createTestDatabase, migrateBefore, type TestDatabase } from '@platform/db-kit/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { deliveriesRepository } from '../src/data/deliveries-repository.js';
import { recipientsRepository } from '../src/data/recipients-repository.js';
import { deliverMessage } from '../src/use-cases/deliver-message.js';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));
let tdb: TestDatabase;
// The database for the whole file, dropped by the returned teardown.
beforeAll(async () => {
  tdb = await createTestDatabase({ prefix: 'notifications_readdress', migrationsFolder });
  return () => tdb.drop();
});

const snapshot = (userId: string, email: string, second: number, fullName = 'R') => ({
  userId,
  email,
  fullName,
  role: 'user',
  active: true,
  occurredAt: new Date(Date.UTC(2030, 0, 1, 0, 0, second)),
});
const receipt = () => ({ template: 'payment_receipt' as const, fullName: null, amountMinor: 100, currency: 'EUR' });

/** A pending e-mail of `userId` (addressed to the recipient as they are now, none if unknown). */
async function pendingEmail(db: Db, userId: string): Promise<void> {
  await db.transaction((tx) => deliverMessage(tx, { eventId: randomUUID(), correlationId: 'test', userId }, receipt));
}

/** The user's deliveries: address, status and the row version's place (a new one on every update). */
async function deliveriesOf(db: DbOrTx, userId: string) {
  return clientOf(db)<Array<{ to: string | null; status: string; ctid: string }>>`select "to", status, ctid::text as ctid from deliveries where user_id = ${userId} order by created_at`;
}

describe('pending e-mails follow the recipient address', () => {
  it('a first recipient row and every newer address readdress them; an older snapshot does not', async () => {
    const userId = randomUUID();
    await pendingEmail(tdb.db, userId); // unknown user: pending, no address
    expect((await deliveriesOf(tdb.db, userId)).map((d) => d.to)).toEqual([null]);
    const repository = recipientsRepository(tdb.db);
    expect(await repository.upsertIfNewer(snapshot(userId, 'first@example.com', 1))).toBe(true);
    expect((await deliveriesOf(tdb.db, userId)).map((d) => d.to)).toEqual(['first@example.com']);
    expect(await repository.upsertIfNewer(snapshot(userId, 'second@example.com', 3))).toBe(true);
    expect(await repository.upsertIfNewer(snapshot(userId, 'older@example.com', 2))).toBe(false);
    await pendingEmail(tdb.db, userId); // known user: addressed at once
    expect((await deliveriesOf(tdb.db, userId)).map((d) => [d.to, d.status])).toEqual([
      ['second@example.com', 'pending'],
      ['second@example.com', 'pending'],
    ]);
  });

  it('a snapshot with the same address (a rename) leaves the pending e-mails as they are', async () => {
    const userId = randomUUID();
    const repository = recipientsRepository(tdb.db);
    await repository.upsertIfNewer(snapshot(userId, 'same@example.com', 1));
    await pendingEmail(tdb.db, userId);
    const [before] = await deliveriesOf(tdb.db, userId);
    expect(await repository.upsertIfNewer(snapshot(userId, 'same@example.com', 2, 'Renamed'))).toBe(true);
    const [after] = await deliveriesOf(tdb.db, userId);
    // No new row version: nothing rewrote the delivery.
    expect(after).toEqual(before);
  });

  it('a change that is rolled back leaves the old address on the pending e-mails', async () => {
    const userId = randomUUID();
    const repository = recipientsRepository(tdb.db);
    await repository.upsertIfNewer(snapshot(userId, 'kept@example.com', 1));
    await pendingEmail(tdb.db, userId);
    await expect(
      tdb.db.transaction(async (tx) => {
        await recipientsRepository(tx).upsertIfNewer(snapshot(userId, 'lost@example.com', 2));
        expect((await deliveriesOf(tx, userId)).map((d) => d.to)).toEqual(['lost@example.com']);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await deliveriesOf(tdb.db, userId)).map((d) => d.to)).toEqual(['kept@example.com']);
  });

  it('is migrated on a database that holds recipients and pending e-mails', async () => {
    const older = await createTestDatabase({ prefix: 'notifications_readdress_existing' });
    try {
      await migrateBefore(older.db, migrationsFolder, '0004_recipient_readdress_trigger');
      const userId = randomUUID();
      await older.sql`insert into recipients (user_id, email, full_name, role, active, last_event_at) values (${userId}, 'old@example.com', 'O', 'user', true, '2030-01-01T00:00:00Z')`;
      await pendingEmail(older.db, userId);

      await runMigrations(older.db, migrationsFolder);
      expect((await deliveriesOf(older.db, userId)).map((d) => [d.to, d.status])).toEqual([['old@example.com', 'pending']]);
      expect(await recipientsRepository(older.db).upsertIfNewer(snapshot(userId, 'new@example.com', 1))).toBe(true);
      expect((await deliveriesOf(older.db, userId)).map((d) => [d.to, d.status])).toEqual([['new@example.com', 'pending']]);
    } finally {
      await older.drop();
    }
  });
});

describe('an e-mail the readdress missed', () => {
  // The race the trigger cannot see: the delivery is made with no address while the recipient's
  // first row commits, each transaction blind to the other. Replayed here by writing the recipient
  // with triggers off (session_replication_role, local to its transaction).
  it('takes the recipient address when the sender claims it', async () => {
    const userId = randomUUID();
    await pendingEmail(tdb.db, userId);
    await tdb.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`insert into recipients (user_id, email, full_name, role, active, last_event_at) values (${userId}, 'late@example.com', 'L', 'user', true, '2030-01-01T00:00:00Z')`;
    });
    expect((await deliveriesOf(tdb.db, userId)).map((d) => d.to)).toEqual([null]);

    const claimed = (await deliveriesRepository(tdb.db).claimDue(100, 60_000)).filter((d) => d.userId === userId);
    expect(claimed.map((d) => [d.to, d.attempts])).toEqual([['late@example.com', 1]]);
    expect((await deliveriesOf(tdb.db, userId)).map((d) => [d.to, d.status])).toEqual([['late@example.com', 'pending']]);
  });

  it('stays unclaimed while the recipient has no address', async () => {
    const userId = randomUUID();
    await pendingEmail(tdb.db, userId);
    await tdb.sql`insert into recipients (user_id, email, full_name, role, active, last_event_at) values (${userId}, null, null, null, true, '2030-01-01T00:00:00Z')`;
    const claimed = (await deliveriesRepository(tdb.db).claimDue(100, 60_000)).filter((d) => d.userId === userId);
    expect(claimed).toEqual([]);
    expect((await deliveriesOf(tdb.db, userId)).map((d) => [d.to, d.status])).toEqual([[null, 'pending']]);
  });
});
