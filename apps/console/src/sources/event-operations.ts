import {
  consumerStatus,
  DeadLetterNotFoundError,
  listDeadLetters,
  purgeDeadLetters,
  recentEvents,
  redriveDeadLetters,
  showDeadLetter,
  type NatsHandle,
  type RecentEventsOptions,
} from '@platform/messaging';

export type { ConsumerStatus, DeadLetterDetail, DeadLetterSummary, RecentEvent } from '@platform/messaging';

/**
 * Everything the console reads from or does to JetStream, bound to one connection and the
 * platform's namespace: the operations API of @platform/messaging, the same code the events CLI
 * (`npm run events`) runs, so a re-drive from the console is exactly a re-drive from the command line.
 */
export function eventOperations(nats: Pick<NatsHandle, 'js' | 'jsm'>, eventNamespace: string) {
  const namespace = eventNamespace || undefined;
  return {
    /** Newest first (the library scans oldest first). */
    listDeadLetters: async (filter: { service?: string; subject?: string; limit?: number }) =>
      (await listDeadLetters(nats.js, { ...filter, limit: 10_000, namespace })).reverse().slice(0, filter.limit ?? 100),
    /** null when there is no such dead letter. */
    showDeadLetter: (id: string) =>
      showDeadLetter(nats.js, id, { namespace }).catch((error: unknown) => {
        if (error instanceof DeadLetterNotFoundError) return null;
        throw error;
      }),
    redriveDeadLetters: (ids: string[]) => redriveDeadLetters(nats.js, { ids, namespace }),
    purgeDeadLetters: (ids: string[]) => purgeDeadLetters(nats.js, { ids, namespace }),
    consumerStatus: () => consumerStatus(nats.jsm, { namespace }),
    recentEvents: (filter: { stream?: RecentEventsOptions['stream']; subject?: string; limit?: number }) => recentEvents(nats.js, { ...filter, namespace }),
  };
}

export type EventOperations = ReturnType<typeof eventOperations>;
