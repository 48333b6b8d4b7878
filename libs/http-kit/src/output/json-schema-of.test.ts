import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envelope } from '../envelope.js';
import { jsonSchemaOf, matchesOnlyPlainText } from './json-schema-of.js';
import { compiledOutput } from './output-serializer.js';

const sourceOf = (schema: z.ZodType) => (jsonSchemaOf(schema, true) as { pattern: string }).pattern;

describe('strings written without escaping (format unsafe)', () => {
  it("reads zod's uuid, guid, datetime, date and email patterns as plain text only", () => {
    for (const schema of [z.uuid(), z.guid(), z.iso.datetime(), z.iso.date(), z.iso.datetime({ offset: true }), z.email()]) {
      expect(matchesOnlyPlainText(sourceOf(schema)), sourceOf(schema)).toBe(true);
    }
    for (const source of ['^[a-z0-9]{1,8}$', '^(?:ab|c\\.d)+$', '^[-a-c_]$', '^[a\\-z]$', '^\\d{4}-\\d\\d$']) expect(matchesOnlyPlainText(source), source).toBe(true);
  });

  it('refuses any pattern that could admit a character JSON escapes, or that it cannot read', () => {
    const refused = [
      '^.+$', // any character
      '^[^a]$', // negated class
      '^[ -~]+$', // a range over `"` and `\`
      '^[!-#]$', // a range over `"`
      '^[a\\\\]$', // a backslash
      '^\\\\$',
      '^\\w+$', // `\w`, `\s`, `\S`, `\D`, `\W`, `\b`: not read
      '^\\s$',
      '^\\S$',
      '^\\u0022$', // an escaped code
      '^\\x22$',
      '^a|"$', // top-level alternation: `"` after `|` is unanchored
      'a$', // not anchored
      '^a',
      '^a\\$', // the last `$` is a literal
      '^(?=a).$', // lookaround
      '^(?<n>a)$', // named group
      '^(a)\\1$', // back reference
      '^a{1,$', // not a quantifier
      '^[a-\\d]$',
      '^[]$',
      '^é$', // not ASCII
      '^\t$', // a control character
      '^"$',
      '^(a))($',
    ];
    for (const source of refused) expect(matchesOnlyPlainText(source), source).toBe(false);
  });

  it('writes checked uuid, datetime and enum strings as they are, free text through the escape', () => {
    const schema = envelope(z.object({ id: z.uuid(), at: z.iso.datetime().nullable(), role: z.enum(['user', 'admin']), name: z.string(), odd: z.enum(['a"b', 'c']), text: z.string().regex(/^.+$/) }));
    const written = jsonSchemaOf(schema) as { properties: { data: { properties: Record<string, { format?: string }> } } };
    const formats = Object.fromEntries(Object.entries(written.properties.data.properties).map(([key, value]) => [key, value.format]));
    expect(formats).toEqual({ id: 'unsafe', at: 'unsafe', role: 'unsafe', name: undefined, odd: undefined, text: undefined });
    // ajv's schema has no format: the check is the same as before.
    expect(JSON.stringify(jsonSchemaOf(schema, true))).not.toContain('unsafe');
    const compiled = compiledOutput(schema);
    const body = { code: 'SUCCESS', message: 'm "q"', module: 'x', data: { id: '8f8c2a4e-7a7b-4b65-9d3c-3f1f4f0c2b1a', at: null, role: 'admin', name: 'a\\"\n', odd: 'a"b', text: '"' }, requestId: 'r' };
    expect(compiled?.validate(body)).toBe(true);
    expect(compiled?.stringify(body)).toBe(JSON.stringify(body));
    // A value the check refuses never reaches the writer (output-serializer.ts): zod decides.
    expect(compiled?.validate({ ...body, data: { ...body.data, id: '8f8c2a4e-7a7b-4b65-9d3c-3f1f4f0c2b1"' } })).toBe(false);
    expect(compiled?.validate({ ...body, data: { ...body.data, at: '2026-12-01T17:31:09.123Z"' } })).toBe(false);
  });
});
