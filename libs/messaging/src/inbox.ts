import { clientOf, type Tx } from '@platform/db-kit';

/**
 * Records events as applied by `consumer` in the caller's transaction and returns the ids that
 * were not there yet (the ones to apply; an id given twice comes back once). One statement for
 * any number of events, sent through the transaction's postgres.js client as a named prepared
 * statement (one Bind/Execute round trip after a connection's first use, no parse or plan), where
 * drizzle's multi-row INSERT was built per batch, sent unnamed (two round trips, parsed and planned
 * each time) and, as an unnamed statement with parameters, held back the handlers' pipelined
 * statements until its parameter types came back. Behind a transaction-mode pooler
 * (`createDb({ prepare: false })`) it is sent unnamed like every statement there.
 */
export async function recordInbox(tx: Tx, consumer: string, eventIds: string[]): Promise<Set<string>> {
  const rows = await clientOf(tx)<Array<{ event_id: string }>>`
    insert into inbox (consumer, event_id) select ${consumer}, unnest(${eventIds}::uuid[])
    on conflict do nothing returning event_id`;
  const fresh = new Set<string>();
  for (const row of rows) fresh.add(row.event_id);
  return fresh;
}
