import { randomUUID } from 'node:crypto';
import { waitFor } from '@platform/resilience/testing';
import type { Sql } from 'postgres';
import { outboxChannel } from '../outbox.js';

export interface OutboxNotifies {
  /**
   * How many NOTIFYs on the outbox channel were committed since the last call (or the LISTEN):
   * sends a marker NOTIFY of its own and waits (bounded) for it. Postgres delivers a channel's
   * notifications in commit order, so every one committed before the marker has arrived by then.
   */
  count(): Promise<number>;
  close(): Promise<void>;
}

/** LISTENs on the outbox channel of `sql`'s database, to prove what did (not) notify. */
export async function listenToOutboxNotifies(sql: Sql): Promise<OutboxNotifies> {
  const seen: string[] = [];
  const subscription = await sql.listen(outboxChannel, (payload) => void seen.push(payload));
  return {
    async count() {
      const marker = `marker-${randomUUID()}`;
      await sql`select pg_notify(${outboxChannel}, ${marker})`;
      await waitFor(() => seen.includes(marker), { timeoutMs: 5_000 });
      return seen.splice(0, seen.indexOf(marker) + 1).length - 1;
    },
    close: () => subscription.unlisten(),
  };
}
