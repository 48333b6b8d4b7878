// Follows events from the producer's outbox to their effects in the consuming services, using
// the databases' own timestamps. Postgres records no commit time here (track_commit_timestamp
// is off and needs a server restart), so both ends are transaction timestamps (`now()`):
//   commit      outbox.created_at   the producing transaction's start (its commit follows within
//                                   that transaction's few statements)
//   published   the JetStream server's stored timestamp of the message (Nats-Msg-Id = event id);
//               outbox.published_at is also read: the relay's claim of the batch, before the publish
//   effect      billing / notifications: inbox.processed_at of the consumer (written in the
//               transaction that applies the effect, so committed with it); analytics:
//               events.received_at of the stored event
import { DeliverPolicy } from '@nats-io/jetstream';
import type { NatsHandle } from '@platform/messaging';
import type postgres from 'postgres';

export interface Effect {
  name: string;
  /** When each of `ids` took effect (rows for the ids that have). */
  times(ids: string[]): Promise<Map<string, number>>;
}

const byId = (rows: Array<{ id: string; at: Date }>) => new Map(rows.map((r) => [r.id, r.at.getTime()]));

/** A consumer's inbox: one row per applied event, written in the effect's own transaction. */
export const inboxEffect = (name: string, sql: postgres.Sql, consumer: string): Effect => ({
  name,
  times: async (ids) => byId(await sql<Array<{ id: string; at: Date }>>`select event_id as id, processed_at as at from inbox where consumer = ${consumer} and event_id = any(${ids}::uuid[])`),
});

export const analyticsEffect = (sql: postgres.Sql): Effect => ({
  name: 'analytics',
  times: async (ids) => byId(await sql<Array<{ id: string; at: Date }>>`select event_id as id, received_at as at from events where event_id = any(${ids}::uuid[])`),
});

export interface OutboxEvent {
  id: string;
  createdAt: number;
  publishedAt: number | null;
}

export async function outboxEvents(sql: postgres.Sql, subject: string, from: Date, to: Date): Promise<OutboxEvent[]> {
  const rows = await sql<Array<{ id: string; created_at: Date; published_at: Date | null }>>`
    select id, created_at, published_at from outbox where subject = ${subject} and created_at >= ${from} and created_at < ${to}`;
  return rows.map((r) => ({ id: r.id, createdAt: r.created_at.getTime(), publishedAt: r.published_at?.getTime() ?? null }));
}

/**
 * Waits until every event of `subject` in the outbox has taken effect everywhere (polling, bounded
 * by `timeoutMs`); returns how many were still missing per effect (all zero when drained).
 */
export async function waitForEffects(sql: postgres.Sql, subject: string, effects: Effect[], timeoutMs: number): Promise<Record<string, number>> {
  const pending = new Map(effects.map((e) => [e.name, new Set<string>()]));
  const seen = new Set<string>();
  let since = new Date(0);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Overlap the last look by 10 s: a transaction that began earlier may have committed since.
    const fresh = await sql<Array<{ id: string; created_at: Date }>>`
      select id, created_at from outbox where subject = ${subject} and created_at >= ${new Date(since.getTime() - 10_000)}`;
    for (const row of fresh) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      for (const set of pending.values()) set.add(row.id);
      if (row.created_at > since) since = row.created_at;
    }
    for (const effect of effects) {
      const set = pending.get(effect.name)!;
      if (set.size === 0) continue;
      for (const id of (await effect.times([...set])).keys()) set.delete(id);
    }
    const left = Object.fromEntries([...pending].map(([name, set]) => [name, set.size]));
    if (Object.values(left).every((n) => n === 0) || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** How many copies of each message id a stream holds from `since` on, with the stored time of the first. */
export async function streamTimes(nats: NatsHandle, stream: string, subject: string, since: Date): Promise<Map<string, { at: number; copies: number }>> {
  const consumer = await nats.js.consumers.get(stream, { deliver_policy: DeliverPolicy.StartTime, opt_start_time: since.toISOString(), headers_only: true });
  const out = new Map<string, { at: number; copies: number }>();
  for (;;) {
    let got = 0;
    const batch = await consumer.fetch({ max_messages: 5000, expires: 2000 });
    for await (const msg of batch) {
      got += 1;
      if (msg.subject !== subject) continue;
      const id = msg.headers?.get('Nats-Msg-Id');
      if (!id) continue;
      const known = out.get(id);
      if (known) known.copies += 1;
      else out.set(id, { at: msg.info.timestampNanos / 1e6, copies: 1 });
    }
    if (got === 0) break;
  }
  await consumer.delete().catch(() => undefined);
  return out;
}
