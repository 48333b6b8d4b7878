import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkConsumerReads } from '../compatibility/consumer-reads.js';
import { defineEvent, type EventContract } from '../define-event.js';
import { invoiceIssuedV1, userRegisteredV1, userUpdatedV1 } from '../index.js';
import { allEventContracts } from '../registry.js';
import { analyticsConsumers, allConsumers, contractsOf, declareConsumer, reads } from './index.js';

const withSchema = (contract: EventContract, schema: z.ZodType) =>
  allEventContracts.map((c) => (c.type === contract.type ? defineEvent({ ...contract, schema }) : c));

describe('consumer contract tests', () => {
  it('every field a consumer reads is provided by the producer today', () => {
    expect(checkConsumerReads()).toEqual([]);
  });

  it('fails when a producer stops providing a field a consumer reads, naming both', () => {
    const contracts = withSchema(userRegisteredV1, userRegisteredV1.schema.omit({ email: true }));
    const problems = checkConsumerReads(allConsumers, contracts);
    expect(problems).toContain('billing-project-users (billing) reads data.email of users.user.registered.v1, but the producer no longer has it');
    expect(problems).toContain('notifications-send-welcome-message (notifications) reads data.email of users.user.registered.v1, but the producer no longer has it');
    expect(problems.every((p) => p.includes('data.email'))).toBe(true);
  });

  it('fails when a field a consumer reads becomes optional', () => {
    const contracts = withSchema(invoiceIssuedV1, invoiceIssuedV1.schema.extend({ dueDate: z.iso.date().optional() }));
    expect(checkConsumerReads(allConsumers, contracts)).toEqual([
      'notifications-notify-invoice-issued (notifications) reads data.dueDate of billing.invoice.issued.v1, but the producer no longer always sends it (optional)',
    ]);
  });

  it('fails when a contract a consumer reads is gone', () => {
    const contracts = allEventContracts.filter((c) => c !== userUpdatedV1);
    expect(checkConsumerReads(allConsumers, contracts)).toHaveLength(3); // billing, notifications, analytics
  });

  it('a field no consumer reads may go (nobody reads the accountId of an issued invoice)', () => {
    const contracts = withSchema(invoiceIssuedV1, invoiceIssuedV1.schema.omit({ accountId: true }));
    expect(checkConsumerReads(allConsumers, contracts)).toEqual([]);
  });
});

describe('consumer declarations', () => {
  it('durable names are unique', () => {
    const names = allConsumers.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('analytics logs every contract of every stream it consumes', () => {
    for (const [stream, declaration] of Object.entries(analyticsConsumers)) {
      const carried = allEventContracts.filter((c) => c.source === stream).map((c) => c.type);
      expect(contractsOf(declaration).map((c) => c.type).sort()).toEqual(carried.sort());
    }
  });

  it('refuses a contract of another stream, a name without the service prefix, a contract twice', () => {
    const base = { service: 'billing' as const, name: 'billing-x', stream: 'users' as const, summary: 's' };
    expect(() => declareConsumer({ ...base, reads: [reads(invoiceIssuedV1, ['userId'])] })).toThrow(/not carried by the users stream/);
    expect(() => declareConsumer({ ...base, name: 'x', reads: [reads(userRegisteredV1, [])] })).toThrow(/starts with its service/);
    expect(() => declareConsumer({ ...base, reads: [reads(userRegisteredV1, []), reads(userRegisteredV1, ['email'])] })).toThrow(/declared twice/);
    expect(() => declareConsumer({ ...base, reads: [] })).toThrow(/reads no contract/);
  });
});
