import { createEvent, type EventContract, type EventEnvelope, type EventInput } from '@platform/contracts';
import { deleteInBatches, type DbOrTx } from '@platform/db-kit';
import { traceHeaders } from '@platform/tracing';
import { and, isNotNull, lt, sql } from 'drizzle-orm';
import { messageHeaders } from './headers.js';
import { noteOutboxWrite } from './outbox-commit.js';
import { inboxTable, outboxTable } from './tables.js';

/**
 * NOTIFY channel the relay LISTENs on, for wake-ups from processes without a relay of their own
 * (`outboxWaker`, sent after their commits); notifications are delivered at commit, never before.
 */
export const outboxChannel = 'platform_outbox';

export interface EnqueueOptions {
  correlationId: string;
  /** Defaults to the correlation id (a request id in practice). */
  requestId?: string;
  id?: string;
  occurredAt?: Date | string;
}

/** The validated event and the headers of its outbox row (what `enqueueEvent` writes). */
export interface OutboxRecord<C extends EventContract> {
  event: EventEnvelope<C>;
  headers: Record<string, string>;
}

/**
 * Validates the event and builds its outbox row without writing it, for a producer that writes
 * the row inside a statement of its own (the change and its event in one round trip, still one
 * transaction). Throws on invalid data. The caller inserts `event` as the payload, `event.id`,
 * `event.type` as the subject and `headers`, and wakes the relay once that has committed (the
 * service's `relay.wake()`, or an `outboxWaker`), never with a NOTIFY inside the transaction.
 */
export function outboxRecord<C extends EventContract>(contract: C, data: EventInput<C>, options: EnqueueOptions): OutboxRecord<C> {
  const event = createEvent(contract, data, options);
  const headers = {
    [messageHeaders.correlationId]: event.correlationId,
    [messageHeaders.requestId]: options.requestId ?? event.correlationId,
    [messageHeaders.eventType]: event.type,
    // The trace of the request that caused the event (nothing with tracing off): the relay's
    // publish span continues it, and the consumers after it.
    ...traceHeaders(),
  };
  return { event, headers };
}

/**
 * Validates the event and writes it to the outbox inside the caller's transaction, so the event
 * exists exactly when the change it describes does. Throws on invalid data (nothing is written).
 * No NOTIFY: the relay is woken once the transaction has committed, by the `wakeAfterCommit` of
 * its database (every service's, see createService); without one, the relays' poll finds the row.
 */
export async function enqueueEvent<C extends EventContract>(
  tx: DbOrTx,
  contract: C,
  data: EventInput<C>,
  options: EnqueueOptions,
): Promise<EventEnvelope<C>> {
  const { event, headers } = outboxRecord(contract, data, options);
  await tx.execute(sql`
    insert into ${outboxTable} (id, subject, payload, headers)
    values (${event.id}::uuid, ${event.type}, ${JSON.stringify(event)}::jsonb, ${JSON.stringify(headers)}::jsonb)`);
  noteOutboxWrite(tx);
  return event;
}

/**
 * Deletes rows published more than `olderThanMs` ago (a retention worker runs it); a row not
 * published yet is never deleted, however old. Returns the count. The database clock decides.
 */
export function pruneOutbox(db: DbOrTx, olderThanMs: number): Promise<number> {
  const cutoff = sql`now() - make_interval(secs => ${olderThanMs / 1000})`;
  return deleteInBatches(db, outboxTable, and(isNotNull(outboxTable.publishedAt), lt(outboxTable.publishedAt, cutoff)));
}

/**
 * Deletes inbox ids recorded more than `olderThanMs` ago. Keep them longer than the broker's
 * duplicate window plus the longest a publisher may take to send an event again (a relay down
 * that long republishes under the same id, and only the inbox recognises it). Returns the count.
 */
export function pruneInbox(db: DbOrTx, olderThanMs: number): Promise<number> {
  return deleteInBatches(db, inboxTable, lt(inboxTable.processedAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`));
}
