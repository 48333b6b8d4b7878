import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  invoiceIssuedV1,
  invoiceVoidedV1,
  paymentReceivedV1,
  userDeactivatedV1,
  userLoggedInV1,
  userRegisteredV1,
  userUpdatedV1,
  type EventType,
  type StreamKey,
} from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { createTestDatabase, type TestDatabase } from '@platform/db-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeLiveEvents } from '../src/data/event-store.js';
import { decodeEvent, type StoredEvent } from '../src/domain/decode-event.js';
import { userMergedV1 } from './helpers.js';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** An event of `type` as the consumer hands it to the store (through the real decoding). */
function stored(stream: StreamKey, type: string, occurredAt: string, overrides: Record<string, unknown> = {}): StoredEvent {
  const known = type === userMergedV1.type ? { ...sampleEvent(userUpdatedV1.type), type } : sampleEvent(type as EventType, overrides as never);
  const decoded = decodeEvent(JSON.stringify({ ...known, occurredAt }), stream);
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.value;
}

describe('analytics event store (one insert-and-read, one effects statement, pipelined)', () => {
  let tdb: TestDatabase;
  const [u1, u2] = [randomUUID(), randomUUID()];
  const inv = randomUUID();
  const day = '2025-04-01';
  const users = [
    stored('users', userRegisteredV1.type, `${day}T10:15:00Z`, { userId: u1, isActive: true, role: 'user' }),
    stored('users', userUpdatedV1.type, `${day}T10:30:00Z`, { userId: u1, isActive: false, role: 'moderator' }),
    stored('users', userLoggedInV1.type, `${day}T10:40:00Z`, { userId: u1 }),
    stored('users', userMergedV1.type, `${day}T10:50:00Z`),
    stored('users', userRegisteredV1.type, `${day}T11:05:00Z`, { userId: u2, isActive: true, role: 'user' }),
    stored('users', userDeactivatedV1.type, `${day}T11:10:00Z`, { userId: u2 }),
  ];
  const billing = [
    stored('billing', invoiceIssuedV1.type, `${day}T12:00:00Z`, { invoiceId: inv, currency: 'EUR', totalMinor: 10_000 }),
    stored('billing', paymentReceivedV1.type, `${day}T12:30:00Z`, { invoiceId: inv, currency: 'EUR', amountMinor: 4_000 }),
    stored('billing', invoiceVoidedV1.type, `${day}T13:10:00Z`, { invoiceId: inv }),
  ];

  /** Every table the store writes, in a comparable form. */
  async function tables() {
    const sql = tdb.sql;
    return {
      events: (await sql`select event_id, stream, type, known from events order by event_id`).map((r) => ({ ...r })),
      deltas: (await sql`select event_id, metric, key, value::int as value from metric_deltas order by event_id, metric, key`).map((r) => ({ ...r })),
      hourly: (
        await sql`select metric, key, to_char(bucket at time zone 'UTC', 'HH24') as hour, value::int as value from metric_hourly order by metric, key, bucket`
      ).map((r) => ({ ...r })),
      users: (
        await sql`select user_id, is_active, role, to_char(last_at at time zone 'UTC', 'HH24:MI') as at from user_states order by user_id`
      ).map((r) => ({ ...r })),
      invoices: (await sql`select invoice_id, currency, total_minor::int as total, paid_minor::int as paid, voided from invoice_states`).map((r) => ({ ...r })),
    };
  }

  beforeAll(async () => {
    tdb = await createTestDatabase({ prefix: 'analytics_store', migrationsFolder });
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('stores a batch and applies exactly its effects: deltas, hourly sums, user and invoice states', async () => {
    expect(await storeLiveEvents(tdb.sql, 'users', users)).toBe(6);
    expect(await storeLiveEvents(tdb.sql, 'billing', billing)).toBe(3);
    const t = await tables();
    expect(t.events).toHaveLength(9);
    // users: 4 + 2 + 2 + 2 + 4 + 2; billing: 3 + 4 + 2.
    expect(t.deltas).toHaveLength(25);
    // metric/key/hour → the hour's sum (every row, nothing else).
    expect(Object.fromEntries(t.hourly.map((h) => [`${h.metric}/${h.key}/${h.hour}`, h.value]))).toEqual({
      'events_stored/billing/12': 2, 'events_stored/billing/13': 1, 'events_stored/users/10': 4, 'events_stored/users/11': 2,
      'events_unknown/users/10': 1, 'invoices_issued//12': 1, 'logins//10': 1, 'payments/EUR/12': 1, 'revenue/EUR/12': 4_000,
      'outstanding/EUR/12': 6_000, 'outstanding/EUR/13': -6_000, 'signups//10': 1, 'signups//11': 1,
      'users_active//10': 0, 'users_active//11': 0, 'users_total//10': 1, 'users_total//11': 1,
    });
    expect(t.users).toEqual(
      [
        { user_id: u1, is_active: false, role: 'moderator', at: '10:30' },
        { user_id: u2, is_active: false, role: 'user', at: '11:10' },
      ].sort((a, b) => (a.user_id < b.user_id ? -1 : 1)),
    );
    expect(t.invoices).toEqual([{ invoice_id: inv, currency: 'EUR', total: 10_000, paid: 4_000, voided: true }]);
  });

  it('a redelivered batch changes nothing', async () => {
    const before = await tables();
    expect(await storeLiveEvents(tdb.sql, 'users', users)).toBe(0);
    expect(await storeLiveEvents(tdb.sql, 'billing', [...billing].reverse())).toBe(0);
    expect(await tables()).toEqual(before);
  });

  it('counts only the new events of a batch that overlaps the log, a copy inside it once', async () => {
    const before = await tables();
    const login = stored('users', userLoggedInV1.type, `${day}T10:59:00Z`, { userId: u2 });
    // No user or invoice state to read or write: the statements' empty sets.
    const [, , oldLogin, oldUnknown] = users;
    expect(await storeLiveEvents(tdb.sql, 'users', [oldLogin, login, login, oldUnknown] as StoredEvent[])).toBe(1);
    const after = await tables();
    expect(after.events).toHaveLength(before.events.length + 1);
    expect(after.deltas.filter((d) => d.event_id === login.eventId).map((d) => [d.metric, d.key, d.value])).toEqual([
      ['events_stored', 'users', 1],
      ['logins', '', 1],
    ]);
    expect(after.hourly.find((h) => h.metric === 'logins')).toEqual({ metric: 'logins', key: '', hour: '10', value: 2 });
    expect(after.users).toEqual(before.users);
  });

  it('two replicas storing the same batch at once store it once', async () => {
    const before = await tables();
    const u3 = randomUUID();
    const batch = [
      stored('users', userRegisteredV1.type, `${day}T14:00:00Z`, { userId: u3, isActive: true, role: 'user' }),
      stored('users', userUpdatedV1.type, `${day}T14:20:00Z`, { userId: u1, isActive: true, role: 'admin' }),
    ];
    const counts = await Promise.all([storeLiveEvents(tdb.sql, 'users', batch), storeLiveEvents(tdb.sql, 'users', batch)]);
    expect(counts.sort()).toEqual([0, 2]);
    const after = await tables();
    expect(after.events).toHaveLength(before.events.length + 2);
    const at14 = after.hourly.filter((h) => h.hour === '14').map((h) => [h.metric, h.value]);
    expect(at14).toEqual([
      ['events_stored', 2],
      ['signups', 1],
      ['users_active', 2],
      ['users_total', 1],
    ]);
    expect(after.users.find((u) => u.user_id === u1)).toEqual({ user_id: u1, is_active: true, role: 'admin', at: '14:20' });
  });
  it('stores every envelope field and the data as they came, whatever characters they hold', async () => {
    // Column arrays in the text form of Postgres arrays: quotes, backslashes, braces, commas, the
    // word NULL and empty strings must come back as sent, in the event's own row.
    const tricky = 'a"b\\c{d},e NULL \u00e9\u{1F600}';
    const raw = (type: string, data: unknown, correlationId: string) =>
      decodeEvent(JSON.stringify({ id: randomUUID(), type, version: 1, source: 'users', occurredAt: `${day}T14:00:00.123Z`, correlationId, data }), 'users');
    const decoded = [
      raw(userMergedV1.type, { s: tricky, n: 'NULL', empty: '', nested: { list: [1, 'x,y', null, { q: '"' }] } }, 'NULL'),
      raw(userUpdatedV1.type, { userId: u2, email: 'q@example.com', fullName: tricky, role: 'user', isActive: true }, tricky),
    ].map((d) => {
      if (!d.ok) throw new Error(d.reason);
      return d.value;
    });
    expect(await storeLiveEvents(tdb.sql, 'users', decoded)).toBe(2);
    const rows = await tdb.sql<Array<Record<string, unknown>>>`
      select event_id, stream, type, version, source, occurred_at, correlation_id, known, data
      from events where event_id = any(${decoded.map((e) => e.eventId)}::uuid[])`;
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    for (const e of decoded) {
      const row = byId.get(e.eventId);
      expect({ ...row, occurred_at: new Date(row?.occurred_at as string | Date).toISOString() }).toEqual({
        event_id: e.eventId,
        stream: e.stream,
        type: e.type,
        version: e.version,
        source: e.source,
        occurred_at: e.occurredAt,
        correlation_id: e.correlationId,
        known: e.known,
        data: e.data,
      });
    }
    expect(decoded.map((e) => e.known)).toEqual([false, true]);
  });
});
