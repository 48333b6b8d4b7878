import { streams as eventStreams } from '@platform/contracts';
import { createDb, type DbHandle } from '@platform/db-kit';
import { namespacedStream, type NatsHandle } from '@platform/messaging';
import { consumersIdle, waitFor } from '@platform/messaging/testing';
import type { Platform } from './platform.js';
import { services } from './platform.js';

/** Every producing service's stream (USERS, BILLING, NOTIFICATIONS, and any service added since). */
export const platformStreams = Object.values(eventStreams).map((stream) => stream.name);

export interface Quiescence {
  /**
   * Resolves (bounded) once the platform has nothing left to do: every consumer idle, no e-mail
   * due, no outbox row unpublished, and no stream grew while that was checked. From then on, an
   * effect that has not happened will not happen: the condition to assert "exactly once" on.
   */
  wait(timeoutMs?: number): Promise<void>;
  /** Each service's database, for checks straight in its tables. */
  db(service: (typeof services)[number]): DbHandle;
  close(): Promise<void>;
}

export function quiescence(platform: Pick<Platform, 'databases' | 'namespace'>, jsm: NatsHandle['jsm']): Quiescence {
  const handles = new Map<string, DbHandle>();
  const db = (service: (typeof services)[number]) => {
    let handle = handles.get(service);
    if (!handle) {
      handle = createDb({ url: platform.databases[service], max: 2 });
      handles.set(service, handle);
    }
    return handle;
  };
  const streams = platformStreams.map((name) => namespacedStream(name, platform.namespace));
  const lastSeqs = async () => Promise.all(streams.map(async (s) => (await jsm.streams.info(s)).state.last_seq)).then((seqs) => seqs.join(','));
  const unpublished = async (service: (typeof services)[number]) =>
    Number((await db(service).sql<{ n: number }[]>`select count(*)::int as n from outbox where published_at is null`)[0]?.n ?? 0);

  async function quiet(): Promise<boolean> {
    const before = await lastSeqs();
    for (const stream of streams) if (!(await consumersIdle(jsm, stream))) return false;
    // Causes of new events, in order: e-mails still due, then unpublished outbox rows.
    const [due] = await db('notifications').sql<{ n: number }[]>`select count(*)::int as n from deliveries where status = 'pending' and "to" is not null`;
    if (due?.n) return false;
    for (const service of services) if ((await unpublished(service)) > 0) return false;
    return (await lastSeqs()) === before;
  }

  return {
    wait: (timeoutMs = 30_000) => waitFor(quiet, { timeoutMs, intervalMs: 100 }).then(() => undefined),
    db,
    async close() {
      await Promise.all([...handles.values()].map((h) => h.close()));
      handles.clear();
    },
  };
}
