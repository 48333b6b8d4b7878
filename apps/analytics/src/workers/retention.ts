import { retentionWorker, type PeriodicWorker, type ServiceContext } from '@platform/service-kit';

/** Analytics' retention: outbox and inbox rows only; the event log is kept (rebuilds replay the streams, queries read it). */
export function analyticsRetention(ctx: Pick<ServiceContext, 'db' | 'config' | 'logger'>): PeriodicWorker {
  return retentionWorker(ctx);
}
