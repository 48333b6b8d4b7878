import { invoiceIssuedV1, paymentReceivedV1 } from '../events/billing.js';
import { userDeactivatedV1, userPasswordChangedV1, userRegisteredV1, userUpdatedV1 } from '../events/users.js';
import { declareConsumer, reads } from './declare-consumer.js';

const recipient = ['userId', 'email', 'fullName', 'isActive'] as const;
/** The recipient plus the role that refuses a token issued before it changed. */
const knownRecipient = [...recipient, 'role'] as const;

/** What notifications consumes (apps/notifications/src/events). */
export const notificationsConsumers = {
  keepRecipientsCurrent: declareConsumer({
    service: 'notifications',
    name: 'notifications-keep-recipients-current',
    stream: 'users',
    summary: 'Keeps the recipient (address, name, active, role) current; a deactivation settles pending e-mails as failed.',
    reads: [reads(userRegisteredV1, knownRecipient), reads(userUpdatedV1, knownRecipient), reads(userDeactivatedV1, ['userId'])],
  }),
  sendWelcomeMessage: declareConsumer({
    service: 'notifications',
    name: 'notifications-send-welcome-message',
    stream: 'users',
    summary: 'Welcome message, in-app and by e-mail.',
    reads: [reads(userRegisteredV1, recipient)],
  }),
  sendSecurityNotice: declareConsumer({
    service: 'notifications',
    name: 'notifications-send-security-notice',
    stream: 'users',
    summary: 'Security notice after a password change, on both channels.',
    reads: [reads(userPasswordChangedV1, ['userId'])],
  }),
  notifyInvoiceIssued: declareConsumer({
    service: 'notifications',
    name: 'notifications-notify-invoice-issued',
    stream: 'billing',
    summary: '"Invoice issued" with its number, total and due date.',
    reads: [reads(invoiceIssuedV1, ['invoiceId', 'userId', 'number', 'totalMinor', 'currency', 'dueDate'])],
  }),
  sendPaymentReceipt: declareConsumer({
    service: 'notifications',
    name: 'notifications-send-payment-receipt',
    stream: 'billing',
    summary: 'Receipt for a payment, with the amount.',
    reads: [reads(paymentReceivedV1, ['paymentId', 'userId', 'amountMinor', 'currency'])],
  }),
};
