import { randomUUID } from 'node:crypto';
import {
  defineEvent,
  invoiceIssuedV1,
  invoicePaidV1,
  invoiceVoidedV1,
  notificationFailedV1,
  notificationSentV1,
  paymentReceivedV1,
  userDeactivatedV1,
  userLoggedInV1,
  userRegisteredV1,
  userUpdatedV1,
  type EventContract,
} from '@platform/contracts';
import { describe, expect, it } from 'vitest';
import { effectsOfBatch, type InvoiceState, type KnownEvent, type MetricEvent, type UserState } from './metrics.js';

/** A known event of `contract` carrying the fields the metrics read. */
const ev = <C extends EventContract & { type: KnownEvent['type'] }>(contract: C, occurredAt: string, data: Extract<KnownEvent, { type: C['type'] }>['data']) =>
  ({ stream: contract.source, known: true, type: contract.type, occurredAt, data }) as MetricEvent;
const unknownEv = (stream: string, type: string, occurredAt: string, data: Record<string, unknown>): MetricEvent => ({ stream, known: false, type, occurredAt, data });
const apply = (batch: MetricEvent[], users = new Map<string, UserState>(), invoices = new Map<string, InvoiceState>()) =>
  effectsOfBatch(batch, { users, invoices });
const sum = (deltas: ReturnType<typeof apply>['deltas'], metric: string, key = '') =>
  deltas.flat().filter((d) => d.metric === metric && d.key === key).reduce((a, d) => a + d.value, 0);

describe('metric definitions', () => {
  it('counts a user once in total and follows their activity by latest occurredAt', () => {
    const u = randomUUID();
    const { deltas, users } = apply([
      ev(userRegisteredV1, '2025-01-01T00:00:00Z', { userId: u, isActive: true, role: 'user' }),
      ev(userUpdatedV1, '2025-01-02T00:00:00Z', { userId: u, isActive: true, role: 'admin' }),
      ev(userDeactivatedV1, '2025-01-03T00:00:00Z', { userId: u }), // keeps the role
      ev(userUpdatedV1, '2025-01-02T12:00:00Z', { userId: u, isActive: true, role: 'moderator' }), // late: ignored
      ev(userLoggedInV1, '2025-01-04T00:00:00Z', { userId: u }),
    ]);
    expect(sum(deltas, 'users_total')).toBe(1);
    expect(sum(deltas, 'users_active')).toBe(0);
    expect(deltas[2]).toContainEqual({ metric: 'users_active', key: '', value: -1 });
    expect(sum(deltas, 'signups')).toBe(1);
    expect(sum(deltas, 'logins')).toBe(1);
    expect(users.get(u)).toEqual({ isActive: false, role: 'admin', lastAt: '2025-01-03T00:00:00Z' });
  });

  it('continues from stored state across batches', () => {
    const u = randomUUID();
    const { deltas } = apply(
      [ev(userUpdatedV1, '2025-02-01T00:00:00Z', { userId: u, isActive: true, role: 'user' })],
      new Map([[u, { isActive: false, role: 'user', lastAt: '2025-01-03T00:00:00Z' }]]),
    );
    expect(deltas[0]).toEqual([{ metric: 'events_stored', key: 'users', value: 1 }, { metric: 'users_active', key: '', value: 1 }]);
  });

  it('outstanding = issued − payments − what was still due when voided', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const { deltas, invoices } = apply([
      ev(invoiceIssuedV1, '2025-01-01T00:00:00Z', { invoiceId: a, currency: 'EUR', totalMinor: 1000 }),
      ev(invoiceIssuedV1, '2025-01-01T00:00:00Z', { invoiceId: a, currency: 'EUR', totalMinor: 1000 }), // repeated
      ev(paymentReceivedV1, '2025-01-02T00:00:00Z', { invoiceId: a, currency: 'EUR', amountMinor: 300 }),
      ev(invoiceVoidedV1, '2025-01-03T00:00:00Z', { invoiceId: a }),
      ev(invoiceVoidedV1, '2025-01-03T00:00:00Z', { invoiceId: a }), // twice: nothing more
      ev(invoiceIssuedV1, '2025-01-01T00:00:00Z', { invoiceId: b, currency: 'USD', totalMinor: 500 }),
      ev(paymentReceivedV1, '2025-01-02T00:00:00Z', { invoiceId: b, currency: 'USD', amountMinor: 500 }),
      ev(invoicePaidV1, '2025-01-02T00:00:00Z', { invoiceId: b, currency: 'USD', totalMinor: 500 }),
    ]);
    expect(sum(deltas, 'outstanding', 'EUR')).toBe(0);
    expect(deltas[3]).toContainEqual({ metric: 'outstanding', key: 'EUR', value: -700 });
    expect(sum(deltas, 'outstanding', 'USD')).toBe(0);
    expect(sum(deltas, 'revenue', 'EUR')).toBe(300);
    expect(sum(deltas, 'revenue', 'USD')).toBe(500);
    expect(sum(deltas, 'payments', 'USD')).toBe(1);
    expect(sum(deltas, 'invoices_issued')).toBe(3);
    expect(invoices.get(a)).toEqual({ currency: 'EUR', totalMinor: 1000, paidMinor: 300, voided: true });
  });

  it('counts notifications and unknown events, nothing else for them', () => {
    const { deltas } = apply([
      ev(notificationSentV1, '2025-01-01T00:00:00Z', {}),
      ev(notificationFailedV1, '2025-01-01T00:00:00Z', {}),
      unknownEv('users', defineEvent({ ...userRegisteredV1, version: 2 }).type, '2025-01-01T00:00:00Z', { userId: randomUUID(), isActive: true }),
    ]);
    expect(sum(deltas, 'notifications_sent')).toBe(1);
    expect(sum(deltas, 'notifications_failed')).toBe(1);
    expect(deltas[2]).toEqual([{ metric: 'events_stored', key: 'users', value: 1 }, { metric: 'events_unknown', key: 'users', value: 1 }]);
  });
});
