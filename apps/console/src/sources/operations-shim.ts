// A stand-in for the operations API of @platform/messaging (agreed names and shapes:
// listDeadLetters, showDeadLetter, redriveDeadLetters, purgeDeadLetters, consumerStatus,
// recentEvents), used until that API is merged. `event-operations.ts` is the only importer, so
// switching to the library is an import change there; nothing else in the console knows.
import type { JetStreamClient, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { deadLetterStream, streams } from '@platform/contracts';
import { deadLetterHeaders, hdrsToRecord, namespacedStream, stripNamespace } from '@platform/messaging';

export interface DeadLetterSummary {
  id: string;
  seq: number;
  subject: string;
  originalSubject: string;
  service: string;
  consumer: string;
  eventId: string | null;
  eventType: string | null;
  reason: string;
  attempts: number;
  deadLetteredAt: string;
}
export interface DeadLetterDetail extends DeadLetterSummary {
  headers: Record<string, string>;
  payload: unknown;
}
export interface ConsumerState {
  stream: string;
  consumer: string;
  pending: number;
  ackPending: number;
  redelivered: number;
  lastActiveAt: string | null;
}
export interface RecentEvent {
  seq: number;
  subject: string;
  type: string | null;
  eventId: string | null;
  occurredAt: string | null;
  correlationId: string | null;
}
interface Scope {
  jsm: JetStreamManager;
  namespace?: string;
}

const decode = (msg: StoredMsg): Record<string, unknown> | null => {
  try {
    const value = msg.json<unknown>();
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};
const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** The last `limit` messages of a stream, newest first (deleted sequences skipped). */
async function lastMessages(jsm: JetStreamManager, stream: string, limit: number): Promise<StoredMsg[]> {
  const info = await jsm.streams.info(stream).catch(() => null);
  if (!info || info.state.messages === 0) return [];
  const out: StoredMsg[] = [];
  for (let seq = info.state.last_seq; seq >= info.state.first_seq && out.length < limit; seq -= 1) {
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (msg) out.push(msg);
  }
  return out;
}

function summary(msg: StoredMsg, namespace?: string): DeadLetterDetail {
  const headers = hdrsToRecord(msg.header);
  const payload = decode(msg);
  const consumer = headers[deadLetterHeaders.consumer] ?? '';
  return {
    id: String(msg.seq),
    seq: msg.seq,
    subject: stripNamespace(msg.subject, namespace),
    originalSubject: stripNamespace(headers[deadLetterHeaders.originalSubject] ?? '', namespace),
    service: consumer.split('-')[0] ?? '',
    consumer,
    eventId: text(payload?.id),
    eventType: text(payload?.type),
    reason: headers[deadLetterHeaders.reason] ?? '',
    attempts: Number(headers[deadLetterHeaders.deliveryCount] ?? 0),
    deadLetteredAt: headers[deadLetterHeaders.failedAt] ?? msg.time.toISOString(),
    headers,
    payload: payload ?? new TextDecoder().decode(msg.data),
  };
}

export async function listDeadLetters(scope: Scope, filter: { service?: string; subject?: string; limit?: number } = {}): Promise<DeadLetterSummary[]> {
  const stream = namespacedStream(deadLetterStream.name, scope.namespace);
  const all = (await lastMessages(scope.jsm, stream, 500)).map((m) => summary(m, scope.namespace));
  return all
    .filter((d) => (!filter.service || d.service === filter.service) && (!filter.subject || d.originalSubject === filter.subject))
    .slice(0, filter.limit ?? 100)
    .map(({ headers: _h, payload: _p, ...rest }) => rest);
}

export async function showDeadLetter(scope: Scope, id: string): Promise<DeadLetterDetail | null> {
  const stream = namespacedStream(deadLetterStream.name, scope.namespace);
  const msg = await scope.jsm.streams.getMessage(stream, { seq: Number(id) }).catch(() => null);
  return msg ? summary(msg, scope.namespace) : null;
}

/** Republishes to the original subject with the event id as `Nats-Msg-Id`, then removes the dead letter. */
export async function redriveDeadLetters(scope: Scope & { js: JetStreamClient }, ids: string[]) {
  const stream = namespacedStream(deadLetterStream.name, scope.namespace);
  const skipped: { id: string; reason: string }[] = [];
  let redriven = 0;
  for (const id of ids) {
    const msg = await scope.jsm.streams.getMessage(stream, { seq: Number(id) }).catch(() => null);
    const original = msg?.header?.get(deadLetterHeaders.originalSubject);
    if (!msg || !original) {
      skipped.push({ id, reason: msg ? 'no original subject' : 'no such dead letter' });
      continue;
    }
    const eventId = text(decode(msg)?.id);
    await scope.js.publish(original, msg.data, { headers: msg.header, ...(eventId ? { msgID: eventId } : {}) });
    await scope.jsm.streams.deleteMessage(stream, msg.seq);
    redriven += 1;
  }
  return { redriven, skipped };
}

export async function purgeDeadLetters(scope: Scope, ids: string[]) {
  const stream = namespacedStream(deadLetterStream.name, scope.namespace);
  let purged = 0;
  for (const id of ids) if (await scope.jsm.streams.deleteMessage(stream, Number(id)).catch(() => false)) purged += 1;
  return { purged };
}

export async function consumerStatus(scope: Scope): Promise<ConsumerState[]> {
  const out: ConsumerState[] = [];
  for (const def of Object.values(streams)) {
    const name = namespacedStream(def.name, scope.namespace);
    if (!(await scope.jsm.streams.info(name).catch(() => null))) continue;
    for await (const info of scope.jsm.consumers.list(name)) {
      out.push({
        stream: def.name,
        consumer: info.name,
        pending: info.num_pending,
        ackPending: info.num_ack_pending,
        redelivered: info.num_redelivered,
        // Typed as nanos, sent by the server as an RFC 3339 time.
        lastActiveAt: text(info.delivered.last_active as unknown),
      });
    }
  }
  return out;
}

export async function recentEvents(scope: Scope, filter: { stream?: string; subject?: string; limit?: number } = {}): Promise<RecentEvent[]> {
  const limit = filter.limit ?? 50;
  const chosen = Object.values(streams).filter((s) => !filter.stream || s.name === filter.stream);
  const lists = await Promise.all(chosen.map((s) => lastMessages(scope.jsm, namespacedStream(s.name, scope.namespace), limit * 2)));
  return lists
    .flat()
    .map((msg) => {
      const event = decode(msg);
      return {
        seq: msg.seq,
        subject: stripNamespace(msg.subject, scope.namespace),
        type: text(event?.type),
        eventId: text(event?.id),
        occurredAt: text(event?.occurredAt) ?? msg.time.toISOString(),
        correlationId: text(event?.correlationId),
      };
    })
    .filter((e) => !filter.subject || e.subject === filter.subject || e.subject.startsWith(filter.subject.replace(/>$/, '')))
    .sort((a, b) => (b.occurredAt ?? '').localeCompare(a.occurredAt ?? ''))
    .slice(0, limit);
}
