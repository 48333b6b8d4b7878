import { pruneInbox, pruneOutbox } from '@platform/messaging';
import type { ServiceContext } from './create-service.js';
import { createPeriodicWorker, type PeriodicWorker } from './workers.js';

/** One table's retention, as a service declares it. */
export interface RetentionRule {
  /** The table it prunes (for the log line). */
  table: string;
  /** Deletes what is past retention, nothing still needed; returns how many rows went. */
  prune(): Promise<number>;
}

/**
 * The retention worker of a service: the outbox (published rows older than
 * OUTBOX_RETENTION_HOURS; unpublished rows never) and the inbox (ids older than
 * INBOX_RETENTION_HOURS) every service has, then the service's own rules, every
 * RETENTION_INTERVAL_SECONDS. Each delete goes in batches; replicas may run it concurrently.
 */
export function retentionWorker(ctx: Pick<ServiceContext, 'db' | 'config' | 'logger'>, rules: RetentionRule[] = []): PeriodicWorker {
  const { db, config, logger } = ctx;
  const all: RetentionRule[] = [
    { table: 'outbox', prune: () => pruneOutbox(db, config.retention.outboxMs) },
    { table: 'inbox', prune: () => pruneInbox(db, config.retention.inboxMs) },
    ...rules,
  ];
  return createPeriodicWorker({
    name: 'retention',
    logger,
    intervalMs: config.retention.intervalMs,
    async run(signal) {
      const deleted: Record<string, number> = {};
      for (const rule of all) {
        if (signal.aborted) break;
        deleted[rule.table] = await rule.prune();
      }
      if (Object.values(deleted).some((count) => count > 0)) logger.info({ worker: 'retention', deleted }, 'deleted rows past retention');
    },
  });
}
