import { retentionWorker, type PeriodicWorker, type ServiceContext } from '@platform/service-kit';
import { defaultBillingSettings, type BillingConfig } from '../config.js';
import { idempotencyRepository } from '../data/idempotency-repository.js';

/**
 * Billing's retention: the outbox and inbox (service-kit), and Idempotency-Keys first used more
 * than IDEMPOTENCY_KEY_RETENTION_HOURS ago. The payments they answered stay, of course.
 */
export function billingRetention(ctx: Pick<ServiceContext, 'db' | 'config' | 'logger'>, config: BillingConfig): PeriodicWorker {
  const { idempotencyKeyRetentionMs } = config.billing ?? defaultBillingSettings;
  return retentionWorker(ctx, [{ table: 'idempotency_keys', prune: () => idempotencyRepository(ctx.db).pruneOlderThan(idempotencyKeyRetentionMs) }]);
}
