import type { Db, DbOrTx } from '@platform/db-kit';
import { findPage, isoUtc, type Page } from '@platform/db-kit';
import { and, count, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Sql } from 'postgres';
import { containsPattern } from '../domain/user-input.js';
import { usersTable, type UserRow } from './schema.js';
import { USER_VIEW_COLUMNS, userViewFrom, type UserView, type UserViewValues } from './user-view.js';

export type Role = UserRow['role'];

export interface NewUser {
  email: string;
  passwordHash: string;
  fullName: string;
  role?: Role;
}

export type UserChanges = Partial<
  Pick<UserRow, 'fullName' | 'role' | 'isActive' | 'bio' | 'avatarUrl' | 'phone' | 'timezone' | 'language' | 'passwordHash' | 'lastLoginAt' | 'updatedAt'>
>;

export interface UserListQuery {
  page: number;
  pageSize: number;
  search?: string;
  role?: Role;
  isActive?: boolean;
}

/** Repository over `users`; give it the db or a transaction. */
export function userRepository(db: DbOrTx) {
  return {
    async findById(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(usersTable).where(eq(usersTable.id, id)).limit(1);
      return row;
    },

    async findByEmail(email: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(usersTable).where(eq(usersTable.email, email)).limit(1);
      return row;
    },

    /** Locks the row for the rest of the transaction (concurrent admin changes serialise). */
    async findByIdForUpdate(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(usersTable).where(eq(usersTable.id, id)).limit(1).for('update');
      return row;
    },

    /** Undefined when the e-mail is taken (the unique index decides, so concurrent sign-ups are safe). */
    async insert(user: NewUser): Promise<UserRow | undefined> {
      const [row] = await db.insert(usersTable).values(user).onConflictDoNothing({ target: usersTable.email }).returning();
      return row;
    },

    async update(id: string, changes: UserChanges): Promise<UserRow | undefined> {
      const [row] = await db.update(usersTable).set(changes).where(eq(usersTable.id, id)).returning();
      return row;
    },

    /**
     * `update` with the new `updated_at` taken as `PATCH /users/me`'s one statement takes it
     * (OWN_UPDATE): the database's clock, at least a millisecond after the value it replaces, so
     * events stamped with it order as the changes took the row. Call it with the row locked.
     */
    async updateInOrder(id: string, changes: Omit<UserChanges, 'updatedAt'>): Promise<UserRow | undefined> {
      const updatedAt = sql.raw(laterThan(usersTable.updatedAt.name));
      const [row] = await db.update(usersTable).set({ ...changes, updatedAt }).where(eq(usersTable.id, id)).returning();
      return row;
    },

    async list(query: UserListQuery): Promise<Page<UserRow>> {
      const filters: SQL[] = [];
      if (query.search !== undefined) {
        const pattern = containsPattern(query.search);
        filters.push(or(ilike(usersTable.fullName, pattern), ilike(usersTable.email, pattern)) as SQL);
      }
      if (query.role !== undefined) filters.push(eq(usersTable.role, query.role));
      if (query.isActive !== undefined) filters.push(eq(usersTable.isActive, query.isActive));
      const where = filters.length ? and(...filters) : undefined;
      return findPage(
        query,
        ({ limit, offset }) =>
          db.select().from(usersTable).where(where).orderBy(desc(usersTable.createdAt), desc(usersTable.id)).limit(limit).offset(offset),
        async () => (await db.select({ n: count() }).from(usersTable).where(where))[0]?.n ?? 0,
      );
    },
  };
}

/** The user by id, prepared: `GET /users/me` is the hottest read of the service. */
export function prepareUserById(db: Db) {
  const statement = db.select().from(usersTable).where(eq(usersTable.id, sql.placeholder('id'))).limit(1).prepare('users_by_id');
  return async (id: string): Promise<UserRow | undefined> => (await statement.execute({ id }))[0];
}

/** Whether a change gives a field (`null` clears it). */
function given(value: unknown): boolean {
  return value !== undefined;
}

/** The database's clock, but at least a millisecond after `previous` (a column): one user's changes in order. */
const laterThan = (previous: string) => `greatest(clock_timestamp(), ${previous} + interval '1 millisecond')`;

/** A change of one's own name and profile: `undefined` leaves a field as it is, `null` clears it. */
export type OwnChanges = Partial<Pick<UserRow, 'fullName' | 'bio' | 'avatarUrl' | 'phone' | 'timezone' | 'language'>>;

export interface GuardedOwnUpdate {
  id: string;
  /** What the caller's row must still hold (the event snapshot is built from it): else no change. */
  expected: Pick<UserRow, 'email' | 'role'>;
  changes: OwnChanges;
  updatedAt: Date;
  /**
   * The outbox row of the change's event, written only when the name really changes (against
   * the locked row, not the caller's earlier read); built by the publisher.
   */
  event?: { id: string; subject: string; payload: string; headers: string };
}

// The write of `PATCH /users/me` in one statement, hence one round trip and one implicit
// transaction: lock the row only if it is still the active user with the expected e-mail and role
// (so the snapshot the event carries is the row after the change), apply the change and write the
// outbox row when the name changed. No NOTIFY in it: a notifying commit takes Postgres' one
// cluster-wide notify lock through its WAL flush (see outboxWaker); the relay is woken after
// the commit instead. One fixed text: postgres.js prepares it once per connection. `null` in $4,
// $11, $12 (never a stored value: the columns are not null) means "leave it"; $5/$7/$9 say
// whether the nullable bio, avatar URL and phone are given.
// The event's occurredAt is set here, once: the row's new updated_at, decided once the lock is
// held and always at least a millisecond after the previous one (the caller's event leaves it
// out). Consumers keep the newest snapshot by occurredAt (billing's projection), so renames racing
// for one user must carry the order in which they took the row, or the projection keeps a name
// the row no longer has (a bench producer saw 45 of 3,000 concurrent renames end that way).
// `events` is whether the event CTE wrote its row (`exists`: no aggregate node to set up in every
// run, as `count(*)` had: 1.7 % of the statement's Postgres CPU).
const OWN_UPDATE = `
with locked as (
  select id, full_name, updated_at from users
  where id = $1::uuid and email = $2::text and role = $3::text and is_active
  for update
), changed as (
  update users u set
    full_name = coalesce($4::text, u.full_name),
    bio = case when $5::boolean then $6::text else u.bio end,
    avatar_url = case when $7::boolean then $8::text else u.avatar_url end,
    phone = case when $9::boolean then $10::text else u.phone end,
    timezone = coalesce($11::text, u.timezone),
    language = coalesce($12::text, u.language),
    updated_at = greatest($13::timestamptz, ${laterThan('locked.updated_at')})
  from locked where u.id = locked.id
  returning u.*, locked.full_name as previous_full_name
), event as (
  insert into outbox (id, subject, payload, headers)
  select $14::uuid, $15::text, $16::jsonb || jsonb_build_object('occurredAt', ${isoUtc('changed.updated_at')}), $17::jsonb from changed
  where $14::uuid is not null and changed.full_name <> changed.previous_full_name
  returning id
)
select ${USER_VIEW_COLUMNS}, (exists (select from event))::int as events from changed`;

/**
 * `PATCH /users/me`'s write as one prepared statement (see OWN_UPDATE). Resolves with the user
 * after the change as the API shows it (`UserView`, no drizzle mapping), or undefined when the
 * row no longer matches `expected` (gone, deactivated, e-mail or role changed since it was
 * read): the caller then takes the locking transaction. `wake` is called once the statement has
 * committed an event (the service's relay, or `outboxWaker` in a process without one).
 */
export function prepareGuardedOwnUpdate(sqlClient: Sql, wake: () => void) {
  return async ({ id, expected, changes, updatedAt, event }: GuardedOwnUpdate): Promise<{ user: UserView; events: number } | undefined> => {
    const params = [
      id,
      expected.email,
      expected.role,
      changes.fullName ?? null,
      given(changes.bio),
      changes.bio ?? null,
      given(changes.avatarUrl),
      changes.avatarUrl ?? null,
      given(changes.phone),
      changes.phone ?? null,
      changes.timezone ?? null,
      changes.language ?? null,
      updatedAt.toISOString(),
      event?.id ?? null,
      event?.subject ?? null,
      event?.payload ?? null,
      event?.headers ?? null,
    ];
    const [values] = await sqlClient.unsafe(OWN_UPDATE, params as never[], { prepare: true }).values();
    if (!values) return undefined;
    const row = values as unknown as [...UserViewValues, number];
    const events = Number(row[13]);
    if (events > 0) wake();
    return { user: userViewFrom(row), events };
  };
}
