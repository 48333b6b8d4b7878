import type { Sql } from 'postgres';
import type { OutboxRow } from './tables.js';

/** What the relay reads of a row: the payload as its JSON text, sent as is. */
export type ClaimedRow = Pick<OutboxRow, 'id' | 'subject' | 'headers' | 'attempts'> & { payload: string };

// The relay's two statements are postgres.js tagged templates on its transaction's connection:
// named prepared statements cached per connection, so after a connection's first batch each is
// one Bind/Execute round trip with no parse or plan in Postgres. Through drizzle's `execute` they
// were sent unnamed: Parse/Describe, a wait for the parameter types, then Bind/Execute, parsed and
// planned every batch (round 4's write path: two round trips each, per batch of one or two events).
// Behind a transaction-mode pooler (`createDb({ prepare: false })`) the client sends them unnamed,
// as it does every other statement there.

// The relay's transaction opens with its settings in the same simple query as its BEGIN (one
// message, one answer; they were a statement of their own after it, a Bind/Execute/Sync and a
// reply of the server's every batch):
// - synchronous_commit off: the batch's COMMIT records only that its rows were published, so it
//   need not wait for the WAL flush (~1.1 ms a commit on this machine's disk, in every batch's
//   cycle and so in every event's commit → published). Should a crash lose it, the rows are
//   claimed and sent again under the same Nats-Msg-Id (the stream's duplicate window, then the
//   consumers' inboxes, keep it once), as after a relay that died between its publishes and its
//   mark. The events themselves are committed by their producers, with synchronous commit.
// - enable_seqscan off, for this transaction's claim and mark: the outbox keeps every published
//   row for days, and the generic plans Postgres caches for these prepared statements after five
//   runs are costed on the table as it was then (a never-analyzed table counts as ten pages) and
//   kept until its statistics change: the mark's hash-joined a sequential scan of the whole outbox
//   on every batch, so the relay's cost per event grew with every event ever written (the
//   write-path bench's users database: 1.0 → 1.4 → 1.7 ms a write, round over round). Both have an
//   index path that is right at any size: the primary key, the partial unpublished index.
// - plan_cache_mode force_generic_plan: the mark's one cached plan, made once per connection.
//   Left to choose, Postgres compared the generic plan's cost (`unnest` of a parameter counts as
//   10 rows) with the custom plans' (a batch's few ids, known) and kept planning the mark anew in
//   most batches: 46 custom plans in 50 batches on one connection, ~30 k instructions a batch in
//   the relay's backend (callgrind, round 11: 116 k → 109-112 k an event at 5 a batch). Its
//   generic plan is the right one at any batch size (a nested loop over the ids, each by the
//   primary key: enable_seqscan is off whenever it is made, as it is for every run), and so is
//   the claim's, which Postgres chose already.
// Local to the transaction: the connection goes back to the pool with the server's settings.
export const relayBegin = 'begin; set local synchronous_commit = off; set local enable_seqscan = off; set local plan_cache_mode = force_generic_plan';

/**
 * Claims up to `limit` unpublished rows, oldest first, under row locks held until the caller's
 * transaction (opened with `relayBegin`) ends; rows another relay replica holds are skipped
 * (SKIP LOCKED), never waited for.
 */
export function claimRows(conn: Sql, limit: number): Promise<ClaimedRow[]> {
  return conn<ClaimedRow[]>`
    select id, subject, payload::text as payload, headers, attempts from outbox
    where published_at is null order by created_at limit ${limit}
    for update skip locked`.execute();
}

/**
 * Records a batch's outcome in one statement, whatever the mix: every row spent an attempt; a row
 * whose error is null was acked (published now), the others keep their error for the next try
 * and stay unpublished. `ids` and `errors` are parallel arrays. Sent at once (not awaited), so
 * that the COMMIT behind it goes out in the same write.
 */
export function markRows(conn: Sql, ids: string[], errors: Array<string | null>): Promise<unknown> {
  return conn`
    update outbox o
    set published_at = case when f.err is null then now() end, attempts = o.attempts + 1, last_error = f.err
    from unnest(${ids}::uuid[], ${errors}::text[]) as f(id, err)
    where o.id = f.id`.execute();
}
