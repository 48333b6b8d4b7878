import { pipelinedTransaction } from '@platform/messaging';
import type { Sql } from 'postgres';
import type { StoredEvent } from '../domain/decode-event.js';
import { effectsOfBatch, stateKeysOf, type MetricDelta } from '../domain/metrics.js';
import { floorTo } from '../domain/time-range.js';
import { insertAndRead, writeEffects, type BatchRead, type EffectRows, type IngestTx, type TableRef } from './ingest-statements.js';

/** The live tables are in `public`; a rebuild fills the same tables in its own schema. */
export const LIVE_SCHEMA = 'public';

/** Transaction-scoped lock key serialising the ingest of one stream across replicas. */
export const ingestLockKey = (stream: string) => `analytics-ingest:${stream}`;

export interface StoreOptions {
  schema?: string;
  /** Takes this stream's ingest lock first (the live ingest; a rebuild's catch-up holds every one already). */
  lockStream?: string;
}

/** What a batch comes to once its reads are back: how many events were new, and what they write. */
interface BatchPlan {
  stored: number;
  rows?: EffectRows;
}

/**
 * Stores a batch of events (in stream order) and applies their metric effects, in the caller's
 * transaction. Only rows actually inserted change metrics: a redelivered or duplicated event
 * (same id) inserts nothing and so changes nothing. Returns how many events were new.
 */
export async function storeEvents(tx: IngestTx, batch: readonly StoredEvent[], options: StoreOptions = {}): Promise<number> {
  const t = tableRef(tx, options.schema);
  const plan = await planBatch(tx, t, batch, options.lockStream);
  if (plan.rows) await writeEffects(tx, t, plan.rows);
  return plan.stored;
}

/**
 * `storeEvents` in its own transaction on the live tables, in two round trips: BEGIN, the lock
 * and the insert-and-read go out in one write, the effects' one statement with COMMIT in the next.
 * No deadline on it: a batch may wait for its lock as long as a rebuild's swap holds it.
 */
export async function storeLiveEvents(sql: Sql, stream: string, batch: readonly StoredEvent[]): Promise<number> {
  const plan = await pipelinedTransaction(
    sql,
    (conn) => planBatch(conn, tableRef(conn), batch, stream),
    (conn, { rows }) => (rows ? writeEffects(conn, tableRef(conn), rows) : Promise.resolve()),
  );
  return plan.stored;
}

const tableRef =
  (tx: IngestTx, schema = LIVE_SCHEMA): TableRef =>
  (table) =>
    tx(`${schema}.${table}`);

async function planBatch(tx: IngestTx, t: TableRef, batch: readonly StoredEvent[], lockStream: string | undefined): Promise<BatchPlan> {
  // A message delivered twice in one batch must count once, like one redelivered later.
  const seen = new Set<string>();
  batch = batch.filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
  if (batch.length === 0) return { stored: 0 };
  // Sent together, in this order, and Postgres runs them in that order on the connection: the
  // reads' snapshot is taken after the lock is held. They read the state of every event in the
  // batch, a superset of the new ones' (a duplicate's is read, left alone).
  const [, read] = await Promise.all([
    lockStream ? tx`select pg_advisory_xact_lock(hashtext(${ingestLockKey(lockStream)}))`.execute() : undefined,
    insertAndRead(tx, t, batch, stateKeysOf(batch)),
  ]);
  if (read.inserted.size === 0) return { stored: 0 };
  const stored = batch.filter((e) => read.inserted.has(e.eventId));
  return { stored: stored.length, rows: effectRows(stored, read) };
}

function effectRows(stored: readonly StoredEvent[], read: BatchRead): EffectRows {
  const effects = effectsOfBatch(stored, read);
  const deltas: EffectRows['deltas'] = [];
  const hourly = new Map<string, MetricDelta & { bucket: string }>();
  stored.forEach((event, i) => {
    const bucket = floorTo(new Date(event.occurredAt), 'hour').toISOString();
    for (const d of effects.deltas[i] ?? []) {
      deltas.push({ event_id: event.eventId, metric: d.metric, key: d.key, occurred_at: event.occurredAt, value: d.value });
      const id = `${d.metric}\u0000${d.key}\u0000${bucket}`;
      const sum = hourly.get(id);
      if (sum) sum.value += d.value;
      else hourly.set(id, { ...d, bucket });
    }
  });
  return {
    deltas,
    hourly: [...hourly.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v),
    users: [...effects.users].map(([user_id, s]) => ({ user_id, is_active: s.isActive, role: s.role, last_at: s.lastAt })),
    invoices: [...effects.invoices].map(([invoice_id, s]) => ({
      invoice_id,
      currency: s.currency,
      total_minor: s.totalMinor,
      paid_minor: s.paidMinor,
      voided: s.voided,
    })),
  };
}
