import { describe, expect, it } from 'vitest';
import { sampleEventData } from './testing/index.js';
import {
  allEventContracts,
  contractFor,
  defineEvent,
  eventContracts,
  invoiceIssuedV1,
  notificationFailedV1,
  paymentReceivedV1,
  userRegisteredV1,
  streamForSource,
  streams,
  type EventType,
} from './index.js';
import { z } from 'zod';

const uuid = '3f1c8f3e-4a5b-4c6d-8e7f-901234567890';

describe('defineEvent', () => {
  it('builds the subject from source, entity, action and version', () => {
    const c = defineEvent({ source: 'shop', entity: 'order', action: 'placed', version: 2, schema: z.object({}) });
    expect(c.type).toBe('shop.order.placed.v2');
    expect(c.version).toBe(2);
    expect(c.source).toBe('shop');
  });

  it('rejects segments that would change subject matching', () => {
    expect(() => defineEvent({ source: 'a.b', entity: 'x', action: 'y', version: 1, schema: z.object({}) })).toThrow();
    expect(() => defineEvent({ source: 'a', entity: '*', action: 'y', version: 1, schema: z.object({}) })).toThrow();
    expect(() => defineEvent({ source: 'a', entity: 'x', action: 'y', version: 0, schema: z.object({}) })).toThrow();
  });
});

describe('registry', () => {
  it('lists every event of the contract, by subject', () => {
    expect(Object.keys(eventContracts).sort()).toEqual(
      [
        'users.user.registered.v1',
        'users.user.updated.v1',
        'users.user.deactivated.v1',
        'users.user.logged_in.v1',
        'users.user.password_changed.v1',
        'billing.account.created.v1',
        'billing.invoice.issued.v1',
        'billing.payment.received.v1',
        'billing.invoice.paid.v1',
        'billing.invoice.voided.v1',
        'notifications.notification.sent.v1',
        'notifications.notification.failed.v1',
      ].sort(),
    );
    expect(contractFor('users.user.registered.v1')).toBe(userRegisteredV1);
    expect(contractFor('nope.nope.nope.v1')).toBeUndefined();
    expect(contractFor('toString')).toBeUndefined();
  });

  it.each(allEventContracts.map((c) => [c.type, c] as const))('%s accepts its sample data', (type, contract) => {
    expect(contract.schema.safeParse(sampleEventData[type as EventType]()).success).toBe(true);
    expect(contract.source).toBe(type.split('.')[0]);
  });

  it.each(allEventContracts.map((c) => [c.type, c] as const))('%s rejects empty data and bad ids', (_type, contract) => {
    expect(contract.schema.safeParse({}).success).toBe(false);
    expect(contract.schema.safeParse(null).success).toBe(false);
    const sample = sampleEventData[_type as EventType]() as Record<string, unknown>;
    const idField = Object.keys(sample).find((k) => k.endsWith('Id')) ?? '';
    expect(contract.schema.safeParse({ ...sample, [idField]: 'not-a-uuid' }).success).toBe(false);
  });
});

describe('streams', () => {
  it('every contract travels on the stream of its producing service', () => {
    for (const contract of allEventContracts) {
      const stream = streamForSource(contract.source);
      expect(stream).toBe(streams[contract.source as keyof typeof streams]);
      expect(stream?.subjects.some((s) => contract.type.startsWith(s.replace('>', '')))).toBe(true);
    }
    expect(streamForSource('gateway')).toBeUndefined();
    expect(streamForSource('toString')).toBeUndefined();
  });
});

describe('money rules', () => {
  const base = sampleEventData['billing.invoice.issued.v1']();
  it.each([
    ['a float', 10.5],
    ['a negative number', -1],
    ['a string', '100'],
    ['an unsafe integer', Number.MAX_SAFE_INTEGER + 1],
    ['NaN', Number.NaN],
  ])('rejects %s', (_label, value) => {
    expect(invoiceIssuedV1.schema.safeParse({ ...base, totalMinor: value }).success).toBe(false);
    const payment = sampleEventData['billing.payment.received.v1']();
    expect(paymentReceivedV1.schema.safeParse({ ...payment, amountMinor: value }).success).toBe(false);
  });

  it('accepts zero and large safe integers', () => {
    expect(invoiceIssuedV1.schema.safeParse({ ...base, totalMinor: 0 }).success).toBe(true);
    expect(invoiceIssuedV1.schema.safeParse({ ...base, totalMinor: 10_000_000_000 }).success).toBe(true);
  });

  it.each(['eur', 'EURO', 'E1R', ''])('rejects currency %j', (currency) => {
    expect(invoiceIssuedV1.schema.safeParse({ ...base, currency }).success).toBe(false);
  });

  it.each(['2030-13-01', '31/01/2030', '2030-01-31T00:00:00Z'])('rejects dueDate %j', (dueDate) => {
    expect(invoiceIssuedV1.schema.safeParse({ ...base, dueDate }).success).toBe(false);
  });
});

describe('enums', () => {
  it('role is user|moderator|admin', () => {
    const sample = sampleEventData['users.user.registered.v1']();
    for (const role of ['user', 'moderator', 'admin']) {
      expect(userRegisteredV1.schema.safeParse({ ...sample, role }).success).toBe(true);
    }
    expect(userRegisteredV1.schema.safeParse({ ...sample, role: 'root' }).success).toBe(false);
  });

  it('channel is in_app|email and failures need a reason', () => {
    const sample = { notificationId: uuid, userId: uuid, channel: 'sms', template: 'welcome', reason: 'x' };
    expect(notificationFailedV1.schema.safeParse(sample).success).toBe(false);
    expect(notificationFailedV1.schema.safeParse({ ...sample, channel: 'in_app' }).success).toBe(true);
    expect(notificationFailedV1.schema.safeParse({ ...sample, channel: 'in_app', reason: undefined }).success).toBe(
      false,
    );
  });
});
