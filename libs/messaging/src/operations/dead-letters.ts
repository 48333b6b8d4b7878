import type { JetStreamClient, JsMsg, StoredMsg } from '@nats-io/jetstream';
import { allConsumers, deadLetterStream } from '@platform/contracts';
import { matches } from '../consumer.js';
import { deadLetterHeaders, hdrsToRecord } from '../headers.js';
import { namespacedStream, namespacedSubject, stripNamespace } from '../namespace.js';
import { scanStream } from './scan-stream.js';

/** What an operator sees of one dead letter (subjects are contract-level: no namespace). */
export interface DeadLetterSummary {
  /** The dead letter's sequence in the DEAD_LETTERS stream, as text: what `show`/`redrive`/`purge` take. */
  id: string;
  seq: number;
  /** `dlq.<consumer>.<original subject>` */
  subject: string;
  originalSubject: string;
  /** The service running the consumer that gave up (a durable name starts with its service). */
  service: string;
  consumer: string;
  /** The envelope's `id` and `type`; null when the body is not an envelope (why it was dead-lettered). */
  eventId: string | null;
  eventType: string | null;
  reason: string;
  /** Deliveries the consumer made before giving up. */
  attempts: number;
  deadLetteredAt: string;
}

export interface DeadLetterDetail extends DeadLetterSummary {
  /** Every header as stored (the original ones plus `x-dlq-*`). */
  headers: Record<string, string>;
  /** The body decoded as JSON, or the raw text when it is not JSON. */
  payload: unknown;
}

export interface NamespaceOption {
  /** The messaging namespace (EVENT_NAMESPACE); none in production. */
  namespace?: string;
}

export interface DeadLetterFilter extends NamespaceOption {
  service?: string;
  /** Original subject, contract-level; NATS wildcards allowed (`billing.>`, `users.user.*.v1`). */
  subject?: string;
  since?: Date;
}

export interface ListDeadLettersOptions extends DeadLetterFilter {
  /** At most this many, oldest first (default 100, at most 10 000). */
  limit?: number;
}

/** The id does not name a dead letter that exists (never was, or already redriven/purged). */
export class DeadLetterNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no dead letter ${id}`);
    this.name = 'DeadLetterNotFoundError';
  }
}

/** A dead-letter id is the stream sequence: a positive integer in decimal. */
export function parseDeadLetterId(id: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) return undefined;
  const seq = Number(id);
  return Number.isSafeInteger(seq) ? seq : undefined;
}

export const deadLetterStreamName = (namespace?: string) => namespacedStream(deadLetterStream.name, namespace);

const serviceByConsumer = new Map(allConsumers.map((c) => [c.name, c.service as string]));

type Raw = Pick<StoredMsg, 'seq' | 'subject' | 'data'> & { headers: Record<string, string>; storedAt: Date };

function decode(data: Uint8Array): unknown {
  const text = new TextDecoder().decode(data);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The stored body of each detail read here: a redrive republishes these bytes, not a re-encoding. */
const bodies = new WeakMap<DeadLetterDetail, Uint8Array>();

export function storedBody(detail: DeadLetterDetail): Uint8Array {
  return bodies.get(detail) ?? new TextEncoder().encode(typeof detail.payload === 'string' ? detail.payload : JSON.stringify(detail.payload));
}

function toDetail(raw: Raw, namespace?: string): DeadLetterDetail {
  const detail = describe(raw, namespace);
  bodies.set(detail, raw.data);
  return detail;
}

function describe(raw: Raw, namespace?: string): DeadLetterDetail {
  const h = raw.headers;
  const consumer = h[deadLetterHeaders.consumer] ?? '';
  const payload = decode(raw.data);
  const envelope = payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);
  const originalSubject = h[deadLetterHeaders.originalSubject];
  return {
    id: String(raw.seq),
    seq: raw.seq,
    subject: stripNamespace(raw.subject, namespace),
    originalSubject: originalSubject ? stripNamespace(originalSubject, namespace) : '',
    service: serviceByConsumer.get(consumer) ?? consumer.split('-')[0] ?? '',
    consumer,
    eventId: text(envelope.id),
    eventType: text(envelope.type) ?? text(h['x-event-type']),
    reason: h[deadLetterHeaders.reason] ?? '',
    attempts: Number(h[deadLetterHeaders.deliveryCount] ?? 0) || 0,
    deadLetteredAt: h[deadLetterHeaders.failedAt] ?? raw.storedAt.toISOString(),
    headers: h,
    payload,
  };
}

export function summary(detail: DeadLetterDetail): DeadLetterSummary {
  const { headers: _headers, payload: _payload, ...rest } = detail;
  return rest;
}

function fromJsMsg(msg: JsMsg): Raw {
  return { seq: msg.seq, subject: msg.subject, data: msg.data, headers: hdrsToRecord(msg.headers), storedAt: msg.time };
}

/** Every dead letter matching the filter, oldest first, with headers and payload. */
export async function* scanDeadLetters(js: JetStreamClient, filter: DeadLetterFilter = {}): AsyncGenerator<DeadLetterDetail> {
  const { namespace } = filter;
  // The server filters by original subject (`dlq.<consumer>.<subject>`) and time; service here.
  const filterSubject = namespacedSubject(`${deadLetterStream.subjects[0].replace('>', '*')}.${filter.subject ?? '>'}`, namespace);
  for await (const msg of scanStream(js, deadLetterStreamName(namespace), { filterSubject, since: filter.since })) {
    const detail = toDetail(fromJsMsg(msg), namespace);
    if (filter.service && detail.service !== filter.service) continue;
    if (filter.subject && !matches(filter.subject, detail.originalSubject)) continue;
    yield detail;
  }
}

export async function listDeadLetters(js: JetStreamClient, options: ListDeadLettersOptions = {}): Promise<DeadLetterSummary[]> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 10_000);
  const out: DeadLetterSummary[] = [];
  for await (const detail of scanDeadLetters(js, options)) {
    out.push(summary(detail));
    if (out.length >= limit) break;
  }
  return out;
}

/** One dead letter by id; throws DeadLetterNotFoundError when there is none. */
export async function showDeadLetter(js: JetStreamClient, id: string, options: NamespaceOption = {}): Promise<DeadLetterDetail> {
  const seq = parseDeadLetterId(id);
  if (seq === undefined) throw new DeadLetterNotFoundError(id);
  const jsm = await js.jetstreamManager();
  const msg = await jsm.streams.getMessage(deadLetterStreamName(options.namespace), { seq }).catch(() => null);
  if (!msg) throw new DeadLetterNotFoundError(id);
  return toDetail({ seq: msg.seq, subject: msg.subject, data: msg.data, headers: hdrsToRecord(msg.header), storedAt: msg.time }, options.namespace);
}
