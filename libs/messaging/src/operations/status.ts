import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { streams } from '@platform/contracts';
import type { Sql } from 'postgres';
import { hdrsToRecord, messageHeaders } from '../headers.js';
import { namespacedStream, stripNamespace } from '../namespace.js';
import type { NamespaceOption } from './dead-letters.js';
import { matches } from '../consumer.js';

export interface OutboxStatus {
  /** Rows not yet published. */
  backlog: number;
  /** Age of the oldest unpublished row; 0 when there is none. */
  oldestAgeSeconds: number;
  /** Published rows still kept (retention deletes them after OUTBOX_RETENTION_HOURS). */
  published: number;
  lastPublishedAt: string | null;
}

/** One service's outbox, from its own database (the `outbox` table every service migrates). */
export async function outboxStatus(sql: Sql): Promise<OutboxStatus> {
  const [row] = await sql<{ backlog: string; oldest: string | null; published: string; last: Date | null }[]>`
    select count(*) filter (where published_at is null) as backlog,
           extract(epoch from now() - min(created_at) filter (where published_at is null))::float8 as oldest,
           count(*) filter (where published_at is not null) as published,
           max(published_at) as last
    from outbox`;
  return {
    backlog: Number(row?.backlog ?? 0),
    oldestAgeSeconds: Math.max(0, Math.round(Number(row?.oldest ?? 0) * 10) / 10),
    published: Number(row?.published ?? 0),
    lastPublishedAt: row?.last ? new Date(row.last).toISOString() : null,
  };
}

export interface ConsumerStatus {
  /** The stream's contract-level name (`USERS`). */
  stream: string;
  consumer: string;
  /** Messages not yet delivered to the durable: its lag. */
  pending: number;
  /** Delivered, not yet acked (in a handler, or nak'ed and waiting for a redelivery). */
  ackPending: number;
  redelivered: number;
  /** Last delivery or ack the server saw (NATS ≥ 2.10 reports it; null before). */
  lastActiveAt: string | null;
}

const lastActive = (...candidates: (string | undefined)[]) => {
  const times = candidates.filter((t): t is string => !!t && !t.startsWith('0001-')).map((t) => Date.parse(t)).filter(Number.isFinite);
  return times.length > 0 ? new Date(Math.max(...times)).toISOString() : null;
};

/** Every durable consumer of the event streams (not DEAD_LETTERS), by stream then name. */
export async function consumerStatus(jsm: JetStreamManager, options: NamespaceOption = {}): Promise<ConsumerStatus[]> {
  const out: ConsumerStatus[] = [];
  for (const def of Object.values(streams)) {
    const name = namespacedStream(def.name, options.namespace);
    if (!(await jsm.streams.info(name).catch(() => null))) continue;
    const infos = [];
    for await (const info of jsm.consumers.list(name)) if (info.config.durable_name) infos.push(info);
    infos.sort((a, b) => a.name.localeCompare(b.name));
    for (const info of infos) {
      out.push({
        stream: def.name,
        consumer: info.name,
        pending: info.num_pending,
        ackPending: info.num_ack_pending,
        redelivered: info.num_redelivered,
        lastActiveAt: lastActive(
          info.delivered.last_active as unknown as string | undefined,
          info.ack_floor.last_active as unknown as string | undefined,
        ),
      });
    }
  }
  return out;
}

export interface RecentEvent {
  seq: number;
  /** Contract-level subject. */
  subject: string;
  type: string | null;
  eventId: string | null;
  occurredAt: string | null;
  correlationId: string | null;
}

export interface RecentEventsOptions extends NamespaceOption {
  /** `users` | `billing` | `notifications`, or the stream name `USERS`... (default: all three). */
  stream?: string;
  /** Contract-level subject, wildcards allowed. */
  subject?: string;
  /** Default 50, at most 1000. */
  limit?: number;
}

/** Walks at most this many messages back per stream looking for matches (bounded work per call). */
const scanBackLimit = 5_000;

/** The newest events (newest first), read back from the streams one message at a time. */
export async function recentEvents(js: JetStreamClient, options: RecentEventsOptions = {}): Promise<RecentEvent[]> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 1_000);
  const jsm = await js.jetstreamManager();
  const all = Object.keys(streams) as (keyof typeof streams)[];
  const wanted = options.stream?.toLowerCase();
  if (wanted !== undefined && !all.includes(wanted as keyof typeof streams)) throw new Error(`unknown stream "${options.stream}" (one of ${all.join(', ')})`);
  const keys = wanted ? [wanted as keyof typeof streams] : all;
  const found: (RecentEvent & { at: number })[] = [];
  for (const key of keys) {
    const name = namespacedStream(streams[key].name, options.namespace);
    const info = await jsm.streams.info(name).catch(() => null);
    if (!info || info.state.messages === 0) continue;
    let taken = 0;
    const floor = Math.max(info.state.first_seq, info.state.last_seq - scanBackLimit + 1);
    for (let seq = info.state.last_seq; seq >= floor && taken < limit; seq--) {
      const msg = await jsm.streams.getMessage(name, { seq }).catch(() => null);
      if (!msg) continue;
      const subject = stripNamespace(msg.subject, options.namespace);
      if (options.subject && !matches(options.subject, subject)) continue;
      let envelope: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(new TextDecoder().decode(msg.data));
        if (parsed && typeof parsed === 'object') envelope = parsed as Record<string, unknown>;
      } catch {
        // Not an envelope: listed with what the headers tell.
      }
      const h = hdrsToRecord(msg.header);
      const text = (v: unknown) => (typeof v === 'string' ? v : null);
      found.push({
        seq: msg.seq,
        subject,
        type: text(envelope.type) ?? h[messageHeaders.eventType] ?? null,
        eventId: text(envelope.id),
        occurredAt: text(envelope.occurredAt),
        correlationId: text(envelope.correlationId) ?? h[messageHeaders.correlationId] ?? null,
        at: msg.time.getTime(),
      });
      taken += 1;
    }
  }
  found.sort((a, b) => b.at - a.at);
  return found.slice(0, limit).map(({ at: _at, ...event }) => event);
}
