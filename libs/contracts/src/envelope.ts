import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { EventContract, EventData, EventInput } from './define-event.js';
import { isoDateTimeSchema, uuidSchema } from './primitives.js';

/** The wire shape shared by every event; `data` is checked against the contract separately. */
export const eventEnvelopeSchema = z.object({
  id: uuidSchema,
  type: z.string().min(1).max(200),
  version: z.number().int().positive(),
  source: z.string().min(1).max(100),
  occurredAt: isoDateTimeSchema,
  correlationId: z.string().min(1).max(200),
  data: z.unknown(),
});

export type RawEventEnvelope = z.infer<typeof eventEnvelopeSchema>;

export interface EventEnvelope<C extends EventContract = EventContract> {
  id: string;
  type: C['type'];
  version: number;
  source: string;
  occurredAt: string;
  correlationId: string;
  data: EventData<C>;
}

export interface CreateEventOptions {
  correlationId: string;
  id?: string;
  occurredAt?: Date | string;
}

/**
 * Thrown by `createEvent` when a publisher hands over data its own contract rejects: a bug in
 * the publisher, so it carries no HTTP status (the service's error handler answers a plain 500).
 */
export class EventValidationError extends Error {
  constructor(
    readonly type: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`invalid data for event ${type}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'EventValidationError';
  }
}

export function toIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** Builds a validated envelope; throws on invalid data so a bad event never reaches the outbox. */
export function createEvent<C extends EventContract>(
  contract: C,
  data: EventInput<C>,
  options: CreateEventOptions,
): EventEnvelope<C> {
  const parsed = contract.schema.safeParse(data);
  if (!parsed.success) throw new EventValidationError(contract.type, toIssues(parsed.error));
  const occurredAt =
    options.occurredAt instanceof Date ? options.occurredAt.toISOString() : (options.occurredAt ?? new Date().toISOString());
  const envelope = {
    id: options.id ?? randomUUID(),
    type: contract.type,
    version: contract.version,
    source: contract.source,
    occurredAt,
    correlationId: options.correlationId,
    data: parsed.data as EventData<C>,
  };
  const checked = eventEnvelopeSchema.safeParse(envelope);
  if (!checked.success) throw new EventValidationError(contract.type, toIssues(checked.error));
  return envelope;
}

export type ParseEventResult<C extends EventContract> =
  | { success: true; event: EventEnvelope<C> }
  | { success: false; reason: string; issues: { path: string; message: string }[] };

/**
 * Validates a received message (a JSON string, bytes or an already parsed object) against the
 * envelope and the contract. Never throws: consumers turn a failure into a dead letter.
 */
export function parseEvent<C extends EventContract>(contract: C, raw: unknown): ParseEventResult<C> {
  let value = raw;
  if (typeof raw === 'string' || raw instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
    } catch (err) {
      return { success: false, reason: `malformed JSON: ${(err as Error).message}`, issues: [] };
    }
  }
  const envelope = eventEnvelopeSchema.safeParse(value);
  if (!envelope.success) {
    const issues = toIssues(envelope.error);
    return { success: false, reason: `invalid envelope: ${describe(issues)}`, issues };
  }
  if (envelope.data.type !== contract.type || envelope.data.version !== contract.version) {
    const reason = `unexpected type ${envelope.data.type} v${envelope.data.version}, expected ${contract.type}`;
    return { success: false, reason, issues: [{ path: 'type', message: reason }] };
  }
  const data = contract.schema.safeParse(envelope.data.data);
  if (!data.success) {
    const issues = toIssues(data.error).map((i) => ({ ...i, path: i.path ? `data.${i.path}` : 'data' }));
    return { success: false, reason: `invalid data: ${describe(issues)}`, issues };
  }
  return { success: true, event: { ...envelope.data, type: contract.type, data: data.data as EventData<C> } };
}

function describe(issues: { path: string; message: string }[]): string {
  return issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
}
