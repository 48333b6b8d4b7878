import type { JsMsg } from '@nats-io/jetstream';
import { contractFor, eventEnvelopeSchema } from '@platform/contracts';
import type { StoredEvent } from '../data/event-store.js';
import type { Decoded } from '@platform/messaging';

/**
 * Turns a message of `stream` into the row to store. A known type and version must match its
 * contract (else the message is dead-lettered); a type or version without a contract here is
 * kept as it came and flagged unknown, so a producer that moves ahead never breaks analytics.
 */
export function decodeEvent(raw: Uint8Array | string, stream: string, streamSeq: number): Decoded<StoredEvent> {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
  } catch (err) {
    return { ok: false, reason: `malformed JSON: ${(err as Error).message}` };
  }
  const envelope = eventEnvelopeSchema.safeParse(value);
  if (!envelope.success) {
    return { ok: false, reason: `invalid envelope: ${envelope.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  }
  const env = envelope.data;
  const contract = contractFor(env.type);
  const base = {
    eventId: env.id,
    stream,
    type: env.type,
    version: env.version,
    source: env.source,
    occurredAt: new Date(env.occurredAt).toISOString(),
    correlationId: env.correlationId,
    streamSeq,
  };
  if (!contract || contract.version !== env.version) {
    const data = env.data !== null && typeof env.data === 'object' && !Array.isArray(env.data) ? (env.data as Record<string, unknown>) : { value: env.data ?? null };
    return { ok: true, value: { ...base, known: false, data } };
  }
  // The envelope is already checked: validate only the data (what parseEvent would do next).
  const data = contract.schema.safeParse(env.data);
  if (!data.success) {
    return { ok: false, reason: `invalid data: ${data.error.issues.map((i) => `data.${i.path.join('.')}: ${i.message}`).join('; ')}` };
  }
  return { ok: true, value: { ...base, known: true, data: data.data as Record<string, unknown> } };
}

export const decodeMessage = (msg: JsMsg, stream: string) => decodeEvent(msg.data, stream, msg.seq);
