import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envelope, errorEnvelope, pagedEnvelope } from '../envelope.js';
import { compiledOutput, outputSerializerCompiler, zodSerializer } from './output-serializer.js';

// Shapes like the services' responses (billing's invoice, notifications' page), plus the corners.
const Line = z.object({ description: z.string(), quantity: z.number().int(), unitAmountMinor: z.number().int(), amountMinor: z.number().int() });
const Invoice = z.object({
  id: z.uuid(),
  number: z.string(),
  status: z.enum(['draft', 'issued', 'paid', 'void']),
  lines: z.array(Line),
  totalMinor: z.number().int(),
  issuedAt: z.string().nullable(),
  createdAt: z.string(),
});
const Notification = z.object({
  id: z.uuid(),
  channel: z.enum(['in_app', 'email']),
  title: z.string(),
  readAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
const Corners = z.object({
  ratio: z.number().min(0).lt(1),
  count: z.int().positive(),
  flag: z.boolean(),
  level: z.enum(['a', 'b']).nullable(),
  nested: z.strictObject({ email: z.email(), day: z.iso.date() }).nullable(),
  note: z.string().optional(),
  nothing: z.null(),
});

const uuid = '8f8c2a4e-7a7b-4b65-9d3c-3f1f4f0c2b1a';
const at = '2026-12-01T17:31:09.123Z';
const line = { description: 'Seats "pro" \\ 10', quantity: 3, unitAmountMinor: 1250, amountMinor: 3750 };
const invoice = { id: uuid, number: 'INV-0001', status: 'issued', lines: [line, { ...line, description: 'é ✓ \u2028' }], totalMinor: 7500, issuedAt: at, createdAt: at };
const notification = { id: uuid, channel: 'in_app', title: 'Invoice INV-0001 issued', readAt: null, createdAt: at };
const corners = { ratio: 0.5, count: 3, flag: false, level: 'a', nested: { email: 'a@example.com', day: '2026-12-01' }, note: 'n', nothing: null };

const meta = { page: 1, pageSize: 20, total: 41, totalPages: 3 };
const cases = [
  { name: 'an invoice', schema: envelope(Invoice), valid: { code: 'SUCCESS', message: 'OK', module: 'billing', data: invoice, requestId: 'r1' } },
  { name: 'a page of notifications', schema: pagedEnvelope(Notification), valid: { code: 'SUCCESS', message: 'OK', module: 'n', data: [notification, { ...notification, readAt: at }], meta, requestId: 'r1' } },
  { name: 'corner types', schema: envelope(Corners), valid: { code: 'SUCCESS', message: 'OK', module: 'm', data: corners, requestId: 'r1' } },
  { name: 'an error envelope', schema: errorEnvelope, valid: { code: 'NOT_FOUND', message: 'x', module: 'm', data: { issues: [{ path: 'a.b', message: 'bad' }] }, requestId: 'r1' } },
];

const withToJSON = { toJSON: () => ({ leaked: true }) };
const replacements: unknown[] = [undefined, null, 0, -0, 1.5, -7, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '', 'x', uuid.toUpperCase(), `${uuid}x`, '2026-12-01', `${at}x`, 'in_app', 'b', 'a@b', true, {}, [], new Date(0), withToJSON, '\ud800', 'ok"\n'];

/** Every value in `value` replaced, in turn, by each replacement; every object with an extra key. */
function* variants(value: unknown): Generator<unknown> {
  if (Array.isArray(value)) {
    yield Object.assign([...value], { toJSON: () => 'leak' });
    for (let i = 0; i < value.length; i++) for (const variant of variants(value[i])) yield value.map((item, j) => (j === i ? variant : item));
    yield [...value, ...value];
    yield [];
  } else if (value !== null && typeof value === 'object') {
    yield { ...value, passwordHash: 'argon2id$secret' };
    yield { ...value, ...withToJSON };
    for (const key of Object.keys(value)) {
      const { [key]: _dropped, ...rest } = value as Record<string, unknown>;
      yield rest;
      for (const variant of variants((value as Record<string, unknown>)[key])) yield { ...value, [key]: variant };
    }
  }
  yield* replacements;
}

const outcome = (serialize: (data: unknown) => string, data: unknown) => {
  try {
    return { body: serialize(data) };
  } catch (error) {
    return { error: (error as Error).name, cause: String((error as Error & { cause?: unknown }).cause) };
  }
};

describe('compiled output serialization', () => {
  it.each(cases)('takes the compiled path for $name and writes the bytes zod + JSON.stringify wrote', ({ schema, valid }) => {
    const compiled = compiledOutput(schema);
    expect(compiled).not.toBeNull();
    expect(compiled?.validate(valid)).toBe(true);
    const fast = outputSerializerCompiler({ schema, method: 'GET', url: '/x', httpStatus: '200' });
    expect(fast(valid)).toBe(zodSerializer(schema, 'GET', '/x')(valid));
    expect(fast(valid)).toBe(JSON.stringify(schema.parse(valid)));
  });

  it.each(cases)('answers every mutation of $name exactly as zod does, and never accepts what zod refuses', ({ schema, valid }) => {
    const compiled = compiledOutput(schema);
    if (!compiled) throw new Error('expected the compiled path');
    const fast = outputSerializerCompiler({ schema, method: 'GET', url: '/x', httpStatus: '200' });
    const viaZod = zodSerializer(schema, 'GET', '/x');
    let refused = 0;
    let tried = 0;
    for (const data of variants(valid)) {
      tried++;
      const expected = outcome(viaZod, data);
      expect(outcome(fast, data), JSON.stringify(data) ?? String(data)).toEqual(expected);
      if ('error' in expected) {
        refused++;
        expect(compiled.validate(data), `ajv accepted what zod refuses: ${JSON.stringify(data)}`).toBe(false);
      }
    }
    expect(tried).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(50);
  });

  it('refuses a body with a toJSON hook on the fast path (zod decides: its checked copy, never the hook)', () => {
    const schema = envelope(z.object({ id: z.string() }));
    const data = { code: 'SUCCESS', message: 'OK', module: 'm', data: { id: 'a', toJSON: () => ({ id: 'b', secret: 1 }) }, requestId: 'r' };
    expect(compiledOutput(schema)?.validate(data)).toBe(false);
    expect(outputSerializerCompiler({ schema, method: 'GET', url: '/x', httpStatus: '200' })(data)).toBe('{"code":"SUCCESS","message":"OK","module":"m","data":{"id":"a"},"requestId":"r"}');
  });

  it('leaves to zod alone what does not translate exactly', () => {
    const untranslated = [
      z.object({ a: z.string().min(2) }),
      z.object({ a: z.string().refine((s) => s !== 'x') }),
      z.object({ a: z.string().transform((s) => s.length) }),
      z.object({ a: z.string().default('x') }),
      z.looseObject({ a: z.string() }),
      z.object({ a: z.url() }),
      z.object({ a: z.string().regex(/^a$/i) }),
      z.object({ a: z.date() }),
      z.union([z.string(), z.number()]),
    ];
    for (const schema of untranslated) expect(compiledOutput(schema)).toBeNull();
    const loose = z.looseObject({ a: z.string() });
    expect(outputSerializerCompiler({ schema: loose, method: 'GET', url: '/x', httpStatus: '200' })({ a: 'x', b: 1 })).toBe('{"a":"x","b":1}');
  });
});
