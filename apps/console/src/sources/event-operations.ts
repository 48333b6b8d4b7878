import type { NatsHandle } from '@platform/messaging';
import * as ops from './operations-shim.js';

export type { ConsumerState, DeadLetterDetail, DeadLetterSummary, RecentEvent } from './operations-shim.js';

/**
 * Everything the console reads from or does to JetStream, bound to one connection and the
 * platform's namespace: the operations API of @platform/messaging, the same code the events CLI
 * runs, so a re-drive from the console is exactly a re-drive from the command line.
 */
export function eventOperations(nats: Pick<NatsHandle, 'js' | 'jsm'>, namespace: string) {
  const scope = { js: nats.js, jsm: nats.jsm, namespace: namespace || undefined };
  return {
    listDeadLetters: (filter: { service?: string; subject?: string; limit?: number }) => ops.listDeadLetters(scope, filter),
    showDeadLetter: (id: string) => ops.showDeadLetter(scope, id),
    redriveDeadLetters: (ids: string[]) => ops.redriveDeadLetters(scope, ids),
    purgeDeadLetters: (ids: string[]) => ops.purgeDeadLetters(scope, ids),
    consumerStatus: () => ops.consumerStatus(scope),
    recentEvents: (filter: { stream?: string; subject?: string; limit?: number }) => ops.recentEvents(scope, filter),
  };
}

export type EventOperations = ReturnType<typeof eventOperations>;
