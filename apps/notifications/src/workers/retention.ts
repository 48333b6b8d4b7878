import { retentionWorker, type PeriodicWorker, type ServiceContext } from '@platform/service-kit';

/** Notifications' retention: outbox and inbox rows only; deliveries and notifications are the service's records. */
export function notificationsRetention(ctx: Pick<ServiceContext, 'db' | 'config' | 'logger'>): PeriodicWorker {
  return retentionWorker(ctx);
}
