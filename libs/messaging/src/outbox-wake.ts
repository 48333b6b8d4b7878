import type { Sql } from 'postgres';
import { outboxChannel } from './outbox.js';

export interface OutboxWaker {
  /** Call after a commit that wrote outbox rows: never waits, never throws (a plain function, pass it on). */
  wake: () => void;
  /** Resolves once no NOTIFY is in flight or owed (before closing the pool it uses). */
  settled(): Promise<void>;
}

/**
 * Wakes the outbox relays of other processes after a commit, with a NOTIFY of its own instead of
 * one inside the transaction: for a process that writes a service's outbox without running its
 * relay (`wakeAfterCommit(db, waker.wake)` after every transaction that enqueued an event). A transaction that notifies takes a cluster-wide lock at commit
 * (Postgres keeps its notification queue in commit order) and holds it through its WAL flush, so
 * notifying commits cannot share a flush and wait for one another: at 1,000 commits/s through
 * 20 connections the event path's producer spent ~20 ms a statement queued there. A NOTIFY alone
 * writes nothing before its commit record, so its commit does not wait for the disk and holds
 * that lock for microseconds.
 *
 * Coalesced: one NOTIFY in flight at a time; commits made while it is out are covered by one more
 * sent after it returns, hence after their commits, so the claim it triggers sees their rows. A
 * NOTIFY that is lost (the process dies after the commit, the database refuses it) only leaves
 * the rows to the relays' poll, as a relay down would.
 */
export function outboxWaker(sql: Sql): OutboxWaker {
  let inFlight: Promise<void> | undefined;
  let owed = false;

  function send(): void {
    owed = false;
    inFlight = sql`select pg_notify(${outboxChannel}, '')`
      .execute()
      .then(
        () => undefined,
        () => undefined, // the poll covers it
      )
      .then(() => {
        inFlight = undefined;
        if (owed) send();
      });
  }

  return {
    wake() {
      if (inFlight) owed = true;
      else send();
    },
    async settled() {
      while (inFlight) await inFlight;
    },
  };
}
