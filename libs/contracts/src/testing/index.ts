import { randomUUID } from 'node:crypto';
import type { EventType } from '../registry.js';
import { eventContracts } from '../registry.js';
import { createEvent, type EventEnvelope } from '../envelope.js';
import type { EventData } from '../define-event.js';

export * from '../compatibility/compare-schemas.js';
export * from '../compatibility/snapshots.js';
export * from '../compatibility/consumer-reads.js';

type SampleData = { [K in EventType]: () => EventData<(typeof eventContracts)[K]> };

/** Valid sample `data` for every known event, fresh ids on each call. */
export const sampleEventData: SampleData = {
  'users.user.registered.v1': () => ({
    userId: randomUUID(),
    email: 'ada@example.com',
    fullName: 'Ada Lovelace',
    role: 'user',
    isActive: true,
  }),
  'users.user.updated.v1': () => ({
    userId: randomUUID(),
    email: 'ada@example.com',
    fullName: 'Ada King',
    role: 'moderator',
    isActive: true,
  }),
  'users.user.deactivated.v1': () => ({ userId: randomUUID() }),
  'users.user.logged_in.v1': () => ({ userId: randomUUID() }),
  'users.user.password_changed.v1': () => ({ userId: randomUUID() }),
  'billing.account.created.v1': () => ({ accountId: randomUUID(), userId: randomUUID(), currency: 'EUR' }),
  'billing.invoice.issued.v1': () => ({
    invoiceId: randomUUID(),
    number: 'INV-000001',
    accountId: randomUUID(),
    userId: randomUUID(),
    currency: 'EUR',
    totalMinor: 12_345,
    dueDate: '2030-01-31',
  }),
  'billing.payment.received.v1': () => ({
    paymentId: randomUUID(),
    invoiceId: randomUUID(),
    userId: randomUUID(),
    amountMinor: 500,
    currency: 'USD',
  }),
  'billing.invoice.paid.v1': () => ({
    invoiceId: randomUUID(),
    userId: randomUUID(),
    currency: 'EUR',
    totalMinor: 12_345,
  }),
  'billing.invoice.voided.v1': () => ({ invoiceId: randomUUID(), userId: randomUUID() }),
  'notifications.notification.sent.v1': () => ({
    notificationId: randomUUID(),
    userId: randomUUID(),
    channel: 'email',
    template: 'welcome',
  }),
  'notifications.notification.failed.v1': () => ({
    notificationId: randomUUID(),
    userId: randomUUID(),
    channel: 'email',
    template: 'welcome',
    reason: 'smtp 550',
  }),
};

/** A valid envelope of `type` with sample data, for tests of consumers. */
export function sampleEvent<T extends EventType>(
  type: T,
  overrides: Partial<EventData<(typeof eventContracts)[T]>> = {},
  correlationId = `test-${randomUUID()}`,
): EventEnvelope<(typeof eventContracts)[T]> {
  const contract = eventContracts[type];
  const data = { ...sampleEventData[type](), ...overrides };
  return createEvent(contract, data as never, { correlationId }) as EventEnvelope<(typeof eventContracts)[T]>;
}
