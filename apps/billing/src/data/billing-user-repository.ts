import { clientOf, type DbOrTx } from '@platform/db-kit';
import { eq } from 'drizzle-orm';
import type { ProjectedUser, UserEvent } from '../domain/user-projection.js';
import { billingUsers } from './schema.js';

const projected = {
  email: billingUsers.email,
  fullName: billingUsers.fullName,
  role: billingUsers.role,
  isActive: billingUsers.isActive,
  profileAt: billingUsers.profileAt,
  statusAt: billingUsers.statusAt,
};

// $6 is null for a deactivation (it carries no profile), $7 the event's occurredAt, $8 "is a deactivation".
// Each rule is written with as few expression nodes as it can be: Postgres builds every expression
// of an ON CONFLICT's SET and WHERE again on each run, and the rules, repeated in every column, were
// 28 % of the backend's instructions per event (callgrind, round 12). The profile applies when the
// event has one (a null $6 makes the comparison null: false) not older than the row's; a missing
// `profile_at` or `status_at` compares as -infinity. `profile_at` and `status_at` become the later
// of the two, which is what the rule's CASE gave (the event's when it applies, the row's otherwise).
const profileApplies = "excluded.profile_at >= coalesce(u.profile_at, '-infinity')";
const statusApplies = "(excluded.status_at > coalesce(u.status_at, '-infinity') or (excluded.status_at = u.status_at and ($8 or u.is_active)))";
const projectStatement = `
  insert into billing_users as u (user_id, email, full_name, role, is_active, profile_at, status_at, source)
  values ($1, $2, $3, $4, $5, $6, $7, 'event')
  on conflict (user_id) do update set
    email      = case when ${profileApplies} then excluded.email      else u.email end,
    full_name  = case when ${profileApplies} then excluded.full_name  else u.full_name end,
    role       = case when ${profileApplies} then excluded.role       else u.role end,
    profile_at = greatest(u.profile_at, excluded.profile_at),
    is_active  = case when ${statusApplies} then excluded.is_active  else u.is_active end,
    status_at  = greatest(u.status_at, excluded.status_at),
    source = 'event',
    updated_at = now()
  where ${profileApplies} or ${statusApplies}
  returning is_active`;

/** Billing's projection of users: written by the users-event consumer, read by routes. */
export function billingUserRepository(db: DbOrTx) {
  return {
    /** Creates an empty row if there is none (no-op otherwise), so the caller can lock it. */
    async ensure(userId: string, source: 'event' | 'token', role: string | null = null): Promise<void> {
      await db.insert(billingUsers).values({ userId, source, role }).onConflictDoNothing({ target: billingUsers.userId });
    },

    /** Reads the row under a lock: `share` for use cases that depend on it (the projection's upsert waits for them). */
    async lock(userId: string, strength: 'update' | 'share'): Promise<ProjectedUser | undefined> {
      const [row] = await db.select(projected).from(billingUsers).where(eq(billingUsers.userId, userId)).for(strength === 'update' ? 'update' : 'share');
      return row;
    },

    async find(userId: string): Promise<ProjectedUser | undefined> {
      const [row] = await db.select(projected).from(billingUsers).where(eq(billingUsers.userId, userId));
      return row;
    },

    /**
     * Applies one users event in one statement (one prepared round trip): `applyUserEvent`'s rule
     * (domain/user-projection.ts) written in SQL, on the row as it stands when the statement runs
     * (ON CONFLICT locks it, so a concurrent replica or account opening waits, as with FOR UPDATE).
     * The profile (e-mail, name, role) takes a snapshot not older than `profile_at`; `is_active`
     * takes an event newer than `status_at`, on a tie only a deactivation or an active row. An
     * event older than both changes nothing, not even `updated_at`. A row that does not exist yet is
     * the event itself. Returns the row's `is_active` when something applied, otherwise undefined.
     * test/users-projection.test.ts checks it against `applyUserEvent` over every delivery order.
     */
    async project(userId: string, change: UserEvent): Promise<{ isActive: boolean } | undefined> {
      const [row] = await projection(db, userId, change);
      return row ? { isActive: row.is_active } : undefined;
    },

    /** `project`'s statement, not started (for a consumer's `ctx.sendWithCommit`): a row back when it applied. */
    // A method, not an arrow property: tsx (keepNames) names every arrow bound to a property with
    // an Object.defineProperty call each time the object is built, once per event here.
    projection(userId: string, change: UserEvent) {
      return projection(db, userId, change);
    },
  };
}

function projection(db: DbOrTx, userId: string, change: UserEvent) {
  const snapshot = change.kind === 'snapshot' ? change : undefined;
  const params = [
    userId,
    snapshot?.email ?? null,
    snapshot?.fullName ?? null,
    snapshot?.role ?? null,
    snapshot?.isActive ?? false,
    snapshot ? change.occurredAt.toISOString() : null,
    change.occurredAt.toISOString(),
    !snapshot,
  ];
  return clientOf(db).unsafe<{ is_active: boolean }[]>(projectStatement, params, { prepare: true });
}
