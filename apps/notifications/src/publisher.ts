import { notificationFailedV1, notificationSentV1 } from '@platform/contracts';
import type { DbOrTx } from '@platform/db-kit';
import { enqueueEvent } from '@platform/messaging';

/** Which message went (or did not go) where. */
export interface NotificationRef {
  notificationId: string;
  userId: string;
  channel: 'in_app' | 'email';
  template: string;
}

/**
 * Everything notifications publishes (docs/contract.md §6), always through the outbox inside the
 * transaction of the change (a consumer's inbox transaction, the delivery sender's), with the
 * correlation id of the event or request that caused it. The service's relay is woken once that
 * transaction commits (createService's `wakeAfterCommit`).
 */
export const notificationEvents = {
  /** An in-app notification written, or an e-mail the SMTP server accepted. */
  sent: (tx: DbOrTx, notification: NotificationRef, correlationId: string) => enqueueEvent(tx, notificationSentV1, notification, { correlationId }),
  /** An e-mail given up: out of attempts, a permanent SMTP error, or the recipient deactivated. */
  failed: (tx: DbOrTx, notification: NotificationRef, reason: string, correlationId: string) =>
    enqueueEvent(tx, notificationFailedV1, { ...notification, reason }, { correlationId }),
};
