import type { JsMsg } from '@nats-io/jetstream';
import { analyticsConsumers, contractsOf, eventEnvelopeSchema, parseEvent, toIssues, type EventContract, type StreamKey } from '@platform/contracts';
import type { Decoded } from '@platform/messaging';
import type { KnownEvent, MetricEvent } from './metrics.js';

/**
 * One event as it is stored: `data` is the whole contract-validated data (typed by the fields
 * the metrics read), or the raw data of a type without a contract here.
 */
export type StoredEvent = MetricEvent & {
  eventId: string;
  version: number;
  source: string;
  correlationId: string;
};

/** Every producing stream analytics keeps a log of: one declared consumer each (@platform/contracts). */
export const analyticsStreams = Object.keys(analyticsConsumers) as StreamKey[];

/** Per stream, the contracts analytics declared it reads, by type. */
const contractsByStream = new Map<string, Map<string, EventContract>>(
  Object.entries(analyticsConsumers).map(([stream, declaration]) => [stream, new Map(contractsOf(declaration).map((c) => [c.type, c]))]),
);

function contractOf(stream: StreamKey, type: unknown, version: unknown): EventContract | undefined {
  const contract = typeof type === 'string' ? contractsByStream.get(stream)?.get(type) : undefined;
  return contract && contract.version === version ? contract : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Turns a message of `stream` into the row to store. A type and version analytics has a contract
 * for is decoded with `parseEvent` against that contract (if it does not match, the message is
 * dead-lettered); a type or version without a contract here is kept as it came and flagged
 * unknown, so a producer that moves ahead never breaks analytics.
 */
export function decodeEvent(raw: Uint8Array | string, stream: StreamKey): Decoded<StoredEvent> {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
  } catch (err) {
    return { ok: false, reason: `malformed JSON: ${(err as Error).message}` };
  }
  const contract = isRecord(value) ? contractOf(stream, value.type, value.version) : undefined;
  if (contract) {
    const parsed = parseEvent(contract, value);
    if (!parsed.success) return { ok: false, reason: parsed.reason };
    const { id, type, version, source, occurredAt, correlationId, data } = parsed.event;
    // `type` and `data` come from one contract: the pair is a KnownEvent by construction.
    const known = { known: true, type, data } as { known: true } & KnownEvent;
    return { ok: true, value: { eventId: id, stream, version, source, occurredAt: iso(occurredAt), correlationId, ...known } };
  }
  const envelope = eventEnvelopeSchema.safeParse(value);
  if (!envelope.success) {
    return { ok: false, reason: `invalid envelope: ${toIssues(envelope.error).map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}` };
  }
  const { id, type, version, source, occurredAt, correlationId, data } = envelope.data;
  return {
    ok: true,
    value: {
      eventId: id,
      stream,
      version,
      source,
      occurredAt: iso(occurredAt),
      correlationId,
      known: false,
      type,
      data: isRecord(data) ? data : { value: data ?? null },
    },
  };
}

const iso = (timestamp: string) => new Date(timestamp).toISOString();

export const decodeMessage = (msg: JsMsg, stream: StreamKey) => decodeEvent(msg.data, stream);
