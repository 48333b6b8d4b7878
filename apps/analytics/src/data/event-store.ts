import type { Helper, Sql, TransactionSql } from 'postgres';
import type { StoredEvent } from '../domain/decode-event.js';
import { effectsOfBatch, stateKeysOf, type InvoiceState, type MetricDelta, type UserState } from '../domain/metrics.js';
import { floorTo } from '../domain/time-range.js';
import { pgTime } from './pg-time.js';

/** The live tables are in `public`; a rebuild fills the same tables in its own schema. */
export const LIVE_SCHEMA = 'public';

/** Transaction-scoped lock key serialising the ingest of one stream across replicas. */
export const ingestLockKey = (stream: string) => `analytics-ingest:${stream}`;

// The batch travels as ONE jsonb parameter: no parameter limit, one round trip per table.
const asJson = (value: unknown) => JSON.stringify(value);

/**
 * Stores a batch of events (in stream order) and applies their metric effects, in the caller's
 * transaction. Only rows actually inserted change metrics: a redelivered or duplicated event
 * (same id) inserts nothing and so changes nothing. Returns how many events were new.
 */
export async function storeEvents(
  tx: TransactionSql,
  batch: readonly StoredEvent[],
  options: { schema?: string; lockStream?: string } = {},
): Promise<number> {
  // A message delivered twice in one batch must count once, like one redelivered later.
  const seen = new Set<string>();
  batch = batch.filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
  if (batch.length === 0) return 0;
  const t = (table: string) => tx(`${options.schema ?? LIVE_SCHEMA}.${table}`);

  const rows = batch.map((e) => ({
    event_id: e.eventId,
    stream: e.stream,
    type: e.type,
    version: e.version,
    source: e.source,
    occurred_at: e.occurredAt,
    correlation_id: e.correlationId,
    known: e.known,
    data: e.data,
  }));
  // The lock, the insert and the state reads go out together (pipelined: one round trip, not
  // four). `execute()` sends each at once, in this order, and Postgres runs them in that order on
  // the connection, so the reads see the states as of after the lock. They read the state of
  // every event in the batch, a superset of the new ones' (a duplicate's is read, left alone).
  const { userIds, invoiceIds } = stateKeysOf(batch);
  const [, inserted, users, invoices] = await Promise.all([
    options.lockStream ? tx`select pg_advisory_xact_lock(hashtext(${ingestLockKey(options.lockStream)}))`.execute() : undefined,
    tx<{ event_id: string }[]>`
      insert into ${t('events')} (event_id, stream, type, version, source, occurred_at, correlation_id, known, data)
      select * from jsonb_to_recordset(${asJson(rows)}::text::jsonb) as x(
        event_id uuid, stream text, type text, version int, source text, occurred_at timestamptz,
        correlation_id text, known boolean, data jsonb)
      on conflict (event_id) do nothing
      returning event_id`.execute(),
    loadUsers(tx, t, userIds),
    loadInvoices(tx, t, invoiceIds),
  ]);
  if (inserted.length === 0) return 0;
  const fresh = new Set(inserted.map((r) => r.event_id));
  const stored = batch.filter((e) => fresh.has(e.eventId));

  const effects = effectsOfBatch(stored, { users, invoices });

  const deltaRows: Array<{ event_id: string; metric: string; key: string; occurred_at: string; value: number }> = [];
  const hourly = new Map<string, MetricDelta & { bucket: string }>();
  stored.forEach((event, i) => {
    const bucket = floorTo(new Date(event.occurredAt), 'hour').toISOString();
    for (const d of effects.deltas[i] ?? []) {
      deltaRows.push({ event_id: event.eventId, metric: d.metric, key: d.key, occurred_at: event.occurredAt, value: d.value });
      const id = `${d.metric}\u0000${d.key}\u0000${bucket}`;
      const sum = hourly.get(id);
      if (sum) sum.value += d.value;
      else hourly.set(id, { ...d, bucket });
    }
  });
  // Sorted so two writers (a replica, a rebuild catch-up) lock rollup rows in the same order.
  const hourlyRows = [...hourly.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  // Every write of the batch pipelined too (one round trip), sent in this order.
  await Promise.all([
    deltaRows.length === 0
      ? undefined
      : tx`
        insert into ${t('metric_deltas')} (event_id, metric, key, occurred_at, value)
        select * from jsonb_to_recordset(${asJson(deltaRows)}::text::jsonb)
          as x(event_id uuid, metric text, key text, occurred_at timestamptz, value bigint)`.execute(),
    hourlyRows.length === 0
      ? undefined
      : tx`
        insert into ${t('metric_hourly')} as h (metric, key, bucket, value)
        select * from jsonb_to_recordset(${asJson(hourlyRows)}::text::jsonb) as x(metric text, key text, bucket timestamptz, value bigint)
        on conflict (metric, key, bucket) do update set value = h.value + excluded.value`.execute(),
    ...saveStates(tx, t, effects.users, effects.invoices),
  ]);
  return stored.length;
}

type TableRef = (table: string) => Helper<string>;

async function loadUsers(tx: TransactionSql, t: TableRef, ids: string[]): Promise<Map<string, UserState>> {
  if (ids.length === 0) return new Map();
  const rows = await tx<{ user_id: string; is_active: boolean; role: string | null; last_at: string | Date }[]>`
    select user_id, is_active, role, last_at from ${t('user_states')} where user_id = any(${ids}::uuid[])`.execute();
  return new Map(rows.map((r) => [r.user_id, { isActive: r.is_active, role: r.role, lastAt: pgTime(r.last_at).toISOString() }]));
}

async function loadInvoices(tx: TransactionSql, t: TableRef, ids: string[]): Promise<Map<string, InvoiceState>> {
  if (ids.length === 0) return new Map();
  const rows = await tx<{ invoice_id: string; currency: string | null; total_minor: string | null; paid_minor: string; voided: boolean }[]>`
    select invoice_id, currency, total_minor, paid_minor, voided from ${t('invoice_states')} where invoice_id = any(${ids}::uuid[])`.execute();
  return new Map(
    rows.map((r) => [
      r.invoice_id,
      {
        currency: r.currency,
        totalMinor: r.total_minor === null ? null : Number(r.total_minor),
        paidMinor: Number(r.paid_minor),
        voided: r.voided,
      },
    ]),
  );
}

/** The state upserts, already sent (see `storeEvents`). */
function saveStates(tx: TransactionSql, t: TableRef, users: Map<string, UserState>, invoices: Map<string, InvoiceState>): Promise<unknown>[] {
  const sent: Promise<unknown>[] = [];
  if (users.size > 0) {
    const rows = [...users].map(([user_id, s]) => ({ user_id, is_active: s.isActive, role: s.role, last_at: s.lastAt }));
    sent.push(tx`
      insert into ${t('user_states')} as u (user_id, is_active, role, last_at)
      select * from jsonb_to_recordset(${asJson(rows)}::text::jsonb) as x(user_id uuid, is_active boolean, role text, last_at timestamptz)
      on conflict (user_id) do update set is_active = excluded.is_active, role = excluded.role, last_at = excluded.last_at`.execute());
  }
  if (invoices.size > 0) {
    const rows = [...invoices].map(([invoice_id, s]) => ({
      invoice_id,
      currency: s.currency,
      total_minor: s.totalMinor,
      paid_minor: s.paidMinor,
      voided: s.voided,
    }));
    sent.push(tx`
      insert into ${t('invoice_states')} as i (invoice_id, currency, total_minor, paid_minor, voided)
      select * from jsonb_to_recordset(${asJson(rows)}::text::jsonb)
        as x(invoice_id uuid, currency text, total_minor bigint, paid_minor bigint, voided boolean)
      on conflict (invoice_id) do update set currency = excluded.currency, total_minor = excluded.total_minor,
        paid_minor = excluded.paid_minor, voided = excluded.voided`.execute());
  }
  return sent;
}

/** Runs `storeEvents` in its own transaction on the live tables. */
export function storeLiveEvents(sql: Sql, stream: string, batch: readonly StoredEvent[]): Promise<number> {
  return sql.begin((tx) => storeEvents(tx, batch, { lockStream: stream })) as Promise<number>;
}
