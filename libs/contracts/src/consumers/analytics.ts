import { accountCreatedV1, invoiceIssuedV1, invoicePaidV1, invoiceVoidedV1, paymentReceivedV1 } from '../events/billing.js';
import { notificationFailedV1, notificationSentV1 } from '../events/notifications.js';
import {
  userDeactivatedV1,
  userLoggedInV1,
  userPasswordChangedV1,
  userRegisteredV1,
  userUpdatedV1,
} from '../events/users.js';
import { declareConsumer, reads } from './declare-consumer.js';

/**
 * What analytics consumes (apps/analytics/src/events): every event of every producing stream is
 * stored whole; the fields listed are the ones its metrics read. One batch consumer per stream.
 */
export const analyticsConsumers = {
  users: declareConsumer({
    service: 'analytics',
    name: 'analytics-store-users-events',
    stream: 'users',
    summary: 'Event log, user metrics (signups, logins, total and active users) and the known role and status that refuse stale tokens.',
    reads: [
      reads(userRegisteredV1, ['userId', 'isActive', 'role']),
      reads(userUpdatedV1, ['userId', 'isActive', 'role']),
      reads(userDeactivatedV1, ['userId']),
      reads(userLoggedInV1, []),
      reads(userPasswordChangedV1, []),
    ],
  }),
  billing: declareConsumer({
    service: 'analytics',
    name: 'analytics-store-billing-events',
    stream: 'billing',
    summary: 'Event log and billing metrics (invoices issued, revenue, payments, outstanding).',
    reads: [
      reads(accountCreatedV1, []),
      reads(invoiceIssuedV1, ['invoiceId', 'currency', 'totalMinor']),
      reads(paymentReceivedV1, ['invoiceId', 'currency', 'amountMinor']),
      reads(invoicePaidV1, []),
      reads(invoiceVoidedV1, ['invoiceId']),
    ],
  }),
  notifications: declareConsumer({
    service: 'analytics',
    name: 'analytics-store-notifications-events',
    stream: 'notifications',
    summary: 'Event log and notification metrics (sent, failed).',
    reads: [reads(notificationSentV1, []), reads(notificationFailedV1, [])],
  }),
};
