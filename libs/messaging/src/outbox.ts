import { createEvent, type EventContract, type EventEnvelope, type EventInput } from '@platform/contracts';
import type { DbOrTx } from '@platform/db-kit';
import { and, isNotNull, lt, sql } from 'drizzle-orm';
import { messageHeaders } from './headers.js';
import { outboxTable } from './tables.js';

/** NOTIFY channel the relay LISTENs on; notifications are delivered at commit, never before. */
export const outboxChannel = 'platform_outbox';

export interface EnqueueOptions {
  correlationId: string;
  /** Defaults to the correlation id (a request id in practice). */
  requestId?: string;
  id?: string;
  occurredAt?: Date | string;
}

/**
 * Validates the event and writes it to the outbox inside the caller's transaction, so the event
 * exists exactly when the change it describes does. Throws on invalid data (nothing is written).
 */
export async function enqueueEvent<C extends EventContract>(
  tx: DbOrTx,
  contract: C,
  data: EventInput<C>,
  options: EnqueueOptions,
): Promise<EventEnvelope<C>> {
  const event = createEvent(contract, data, options);
  await tx.insert(outboxTable).values({
    id: event.id,
    subject: event.type,
    payload: event,
    headers: {
      [messageHeaders.correlationId]: event.correlationId,
      [messageHeaders.requestId]: options.requestId ?? event.correlationId,
      [messageHeaders.eventType]: event.type,
    },
  });
  await tx.execute(sql`select pg_notify(${outboxChannel}, '')`);
  return event;
}

/** Deletes published rows older than `olderThanMs` (run from a periodic job); returns the count. */
export async function pruneOutbox(db: DbOrTx, olderThanMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanMs);
  const deleted = await db
    .delete(outboxTable)
    .where(and(isNotNull(outboxTable.publishedAt), lt(outboxTable.publishedAt, cutoff)))
    .returning({ id: outboxTable.id });
  return deleted.length;
}
