import { describe, expect, it } from 'vitest';
import { createEvent, EventValidationError, eventEnvelopeSchema, invoiceIssuedV1, parseEvent, userRegisteredV1 } from './index.js';
import { sampleEvent, sampleEventData } from './testing/index.js';

describe('createEvent', () => {
  it('builds an envelope with type, version, source and a uuid id', () => {
    const data = sampleEventData['users.user.registered.v1']();
    const event = createEvent(userRegisteredV1, data, { correlationId: 'req-1' });
    expect(event).toMatchObject({
      type: 'users.user.registered.v1',
      version: 1,
      source: 'users',
      correlationId: 'req-1',
      data,
    });
    expect(eventEnvelopeSchema.safeParse(event).success).toBe(true);
    expect(new Date(event.occurredAt).toISOString()).toBe(event.occurredAt);
  });

  it('keeps a given id and occurredAt', () => {
    const id = '6f9619ff-8b86-4011-b42d-00c04fc964ff';
    const at = new Date('2030-01-01T10:00:00Z');
    const event = createEvent(userRegisteredV1, sampleEventData['users.user.registered.v1'](), {
      correlationId: 'c',
      id,
      occurredAt: at,
    });
    expect(event.id).toBe(id);
    expect(event.occurredAt).toBe('2030-01-01T10:00:00.000Z');
  });

  it('throws on invalid data, naming the field', () => {
    const data = { ...sampleEventData['billing.invoice.issued.v1'](), totalMinor: 1.5 };
    expect(() => createEvent(invoiceIssuedV1, data, { correlationId: 'c' })).toThrow(EventValidationError);
    expect(() => createEvent(invoiceIssuedV1, data, { correlationId: 'c' })).toThrow(/totalMinor/);
    let error: unknown;
    try {
      createEvent(invoiceIssuedV1, data, { correlationId: 'c' });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ type: invoiceIssuedV1.type, issues: [{ path: 'totalMinor' }] });
  });

  it('throws on an empty correlation id', () => {
    expect(() => createEvent(userRegisteredV1, sampleEventData['users.user.registered.v1'](), { correlationId: '' })).toThrow(
      EventValidationError,
    );
  });
});

describe('parseEvent', () => {
  it('accepts a valid envelope as object, string or bytes', () => {
    const event = sampleEvent('users.user.registered.v1');
    const json = JSON.stringify(event);
    for (const raw of [event, json, new TextEncoder().encode(json)]) {
      const result = parseEvent(userRegisteredV1, raw);
      expect(result.success).toBe(true);
      if (result.success) expect(result.event).toEqual(event);
    }
  });

  it('never throws on garbage', () => {
    for (const raw of ['{not json', 'null', 42, null, undefined, [], new Uint8Array([0xff, 0xfe])]) {
      const result = parseEvent(userRegisteredV1, raw);
      expect(result.success).toBe(false);
      if (!result.success) expect(result.reason).toMatch(/./);
    }
  });

  it('rejects an envelope without id, with a bad timestamp or correlation id', () => {
    const event = sampleEvent('users.user.registered.v1');
    expect(parseEvent(userRegisteredV1, { ...event, id: 'x' }).success).toBe(false);
    expect(parseEvent(userRegisteredV1, { ...event, occurredAt: 'yesterday' }).success).toBe(false);
    expect(parseEvent(userRegisteredV1, { ...event, correlationId: undefined }).success).toBe(false);
    expect(parseEvent(userRegisteredV1, { ...event, version: 1.5 }).success).toBe(false);
  });

  it('rejects another contract type', () => {
    const event = sampleEvent('users.user.deactivated.v1');
    const result = parseEvent(userRegisteredV1, event);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.reason).toMatch(/unexpected type/);
  });

  it('rejects invalid data with a reason naming the path', () => {
    const event = sampleEvent('billing.invoice.issued.v1');
    const result = parseEvent(invoiceIssuedV1, { ...event, data: { ...event.data, totalMinor: -5 } });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.reason).toMatch(/data\.totalMinor/);
      expect(result.issues[0]?.path).toBe('data.totalMinor');
    }
  });
});
