import type { z } from 'zod';

/**
 * The JSON Schema of a response's zod schema, for ajv to check and fast-json-stringify to write
 * (see output-serializer.ts) - or `undefined` when the zod schema uses anything this does not
 * translate exactly, and the response keeps going through zod alone.
 *
 * Only what has the same meaning on both sides is translated: objects that strip unknown keys
 * (`z.object`) or refuse them (`z.strictObject`), arrays, strings (optionally with one pattern
 * format whose zod check is that regex and nothing else: uuid, datetime, date, email, regex),
 * finite numbers and safe integers with bounds, booleans, string enums and literals, `null`,
 * `.nullable()`, and `.optional()` object properties. A refine, transform, default, catch, string
 * length (zod counts UTF-16 units, ajv code points), loose object or anything else: `undefined`.
 * zod's own `toJSONSchema` is not used because it emits a format as an ajv format name (a different
 * check from zod's regex), `additionalProperties: false` for every object (zod strips instead)
 * and silently drops refinements.
 *
 * `plain` (the schema ajv checks with, not the one fast-json-stringify writes with) adds
 * `required` and the `plainJson` keyword on every object and array node: fast-json-stringify calls
 * a `toJSON` method and would write what it returns, unchecked, where zod would have written the
 * checked fields (ajv rejects such a value, and zod then decides, see output-serializer.ts).
 */
export type JsonSchema = { [key: string]: unknown };

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: CheckDef } }>;
  shape?: Record<string, ZodLike>;
  catchall?: ZodLike;
  element?: ZodLike;
  innerType?: ZodLike;
  entries?: Record<string, unknown>;
  values?: unknown[];
}
interface CheckDef {
  check?: string;
  format?: string;
  pattern?: RegExp;
  value?: unknown;
  inclusive?: boolean;
  when?: unknown;
}
type ZodLike = { _zod: { def: Def } };

/** Formats whose zod check is `pattern.test(value)` only (zod's $ZodCheckStringFormat). */
const PATTERN_FORMATS = new Set(['uuid', 'guid', 'datetime', 'date', 'email', 'regex']);

/** A format schema (`z.uuid()`, `z.int()`) is its own first check, the rest follow in `checks`. */
function checksOf(def: Def): CheckDef[] | undefined {
  const own = (def as CheckDef).check === undefined ? [] : [def as CheckDef];
  const checks = [...own, ...(def.checks ?? []).map((check) => check._zod.def)];
  return checks.some((check) => check.when !== undefined) ? undefined : checks;
}

function stringSchema(checks: CheckDef[], checked: boolean): JsonSchema | undefined {
  if (checks.length > 1) return undefined;
  const [check] = checks;
  if (!check) return { type: 'string' };
  const { pattern } = check;
  const exact = check.check === 'string_format' && PATTERN_FORMATS.has(check.format ?? '') && pattern instanceof RegExp && pattern.flags === '';
  // ajv runs `new RegExp(source)` (unicodeRegExp off): the same regex, the same answers.
  return exact ? { type: 'string', pattern: pattern.source, ...writtenAsIs(!checked && matchesOnlyPlainText(pattern.source)) } : undefined;
}

/**
 * fast-json-stringify's `format: 'unsafe'` writes a string as `"` + value + `"`, without its
 * escape loop (`escapeStringLoop`, a `charCodeAt` per character: 6.6-7.9 k of users' `/me`
 * instructions, docs/benchmarks.md issue 12 rounds 12-13). The writer only ever runs on a body ajv
 * has just accepted (output-serializer.ts), so a string whose check admits only characters JSON
 * writes as they are (no `"`, `\`, control character or lone surrogate) needs no escaping: the
 * bytes are the same. Only the written schema carries it; ajv's schema has no `format`.
 */
const writtenAsIs = (asIs: boolean): JsonSchema => (asIs ? { format: 'unsafe' } : {});

/** True when `JSON.stringify(value)` is `"` + value + `"`. */
const writesAsIs = (value: string): boolean => JSON.stringify(value) === `"${value}"`;

/** Printable ASCII but `"` and `\`: what JSON writes unescaped, and all a regex atom may match here. */
const plainCode = (code: number): boolean => code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c;
const plainRange = (from: number, to: number): boolean => from <= to && plainCode(from) && plainCode(to) && !(from <= 0x22 && to >= 0x22) && !(from <= 0x5c && to >= 0x5c);
/** Escapes whose matches are plain (non-unicode regex: `\d` is 0-9), and escaped punctuation. */
const PLAIN_CLASS_ESCAPES = new Set(['d']);
const ESCAPED_PUNCTUATION = '.-+*?()[]{}|^$/:_,=!#%&@~<>;\'';

/**
 * Whether every string a pattern (flags '', as json-schema-of only passes) accepts is plain: the
 * pattern is `^…$` with no `|` outside a group, so each character of a match is consumed by one of
 * its atoms, and every atom only matches plain characters: a printable literal, an escaped
 * punctuation mark, `\d`, or a non-negated class of such characters and ranges. Anything else
 * (`.`, `[^…]`, `\s`, `\w`, `\uXXXX`, a back reference, a lookaround, a top-level `|`) answers
 * false: a conservative reading, the string is then escaped as before. zod's uuid, guid, datetime
 * and date patterns pass; its email pattern too.
 */
export function matchesOnlyPlainText(source: string): boolean {
  if (!source.startsWith('^') || !source.endsWith('$') || source.endsWith('\\$')) return false;
  let depth = 0;
  for (let i = 1; i < source.length - 1; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      const next = source[++i] ?? '';
      if (!PLAIN_CLASS_ESCAPES.has(next) && !ESCAPED_PUNCTUATION.includes(next)) return false;
    } else if (c === '(') {
      // `(` or `(?:`: a group; lookarounds and named groups are refused.
      if (source[i + 1] === '?') {
        if (source[i + 2] !== ':') return false;
        i += 2;
      }
      depth++;
    } else if (c === ')') {
      if (--depth < 0) return false;
    } else if (c === '|') {
      if (depth === 0) return false;
    } else if (c === '[') {
      const end = plainClassEnd(source, i);
      if (end < 0) return false;
      i = end;
    } else if (c === '{') {
      const end = source.indexOf('}', i);
      if (end < 0 || !/^\{\d+(,\d*)?\}$/.test(source.slice(i, end + 1))) return false;
      i = end;
    } else if (c === '?' || c === '*' || c === '+') {
      // quantifiers (and a lazy `?`): they repeat an atom, they match nothing of their own.
    } else if (c === '.' || c === '^' || c === '$' || c === ']' || c === '}' || !plainCode(c.charCodeAt(0))) {
      return false;
    }
  }
  return depth === 0;
}

/** The index of the `]` closing the plain class that opens at `start`, or -1. */
function plainClassEnd(source: string, start: number): number {
  if (source[start + 1] === '^') return -1;
  const members: number[] = [];
  let i = start + 1;
  for (; i < source.length && source[i] !== ']'; i++) {
    let code = source.charCodeAt(i);
    if (source[i] === '\\') {
      const next = source[++i] ?? '';
      // `\d`, and an escaped `-` (a member, never a range's dash): plain, and no range endpoint.
      if (PLAIN_CLASS_ESCAPES.has(next) || next === '-') {
        members.push(-1);
        continue;
      }
      if (!ESCAPED_PUNCTUATION.includes(next)) return -1;
      code = next.charCodeAt(0);
    } else if (source[i] === '[') {
      return -1;
    }
    members.push(code);
  }
  if (i >= source.length || members.length === 0) return -1;
  // `a-z` ranges: a `-` between two members; a leading or trailing `-` is the character.
  for (let m = 0; m < members.length; m++) {
    const code = members[m] as number;
    if (code === -1) continue;
    if (!plainCode(code)) return -1;
    const to = members[m + 2];
    if (members[m + 1] === 0x2d && to !== undefined && m + 2 < members.length) {
      if (to === -1 || !plainRange(code, to)) return -1;
      m += 2;
    }
  }
  return i;
}

function numberSchema(checks: CheckDef[]): JsonSchema | undefined {
  const json: JsonSchema = { type: 'number' };
  const bound = (key: string, value: number, tighter: (a: number, b: number) => boolean) => {
    const current = json[key];
    if (typeof current !== 'number' || tighter(value, current)) json[key] = value;
  };
  for (const check of checks) {
    if (check.check === 'number_format' && check.format === 'safeint') {
      // zod: Number.isInteger and within ±MAX_SAFE_INTEGER.
      json.type = 'integer';
      bound('minimum', Number.MIN_SAFE_INTEGER, (a, b) => a > b);
      bound('maximum', Number.MAX_SAFE_INTEGER, (a, b) => a < b);
    } else if ((check.check === 'greater_than' || check.check === 'less_than') && typeof check.value === 'number' && Number.isFinite(check.value)) {
      const lower = check.check === 'greater_than';
      const key = lower ? (check.inclusive ? 'minimum' : 'exclusiveMinimum') : check.inclusive ? 'maximum' : 'exclusiveMaximum';
      bound(key, check.value, lower ? (a, b) => a > b : (a, b) => a < b);
    } else {
      return undefined;
    }
  }
  return json;
}

function objectSchema(def: Def, plain: boolean): JsonSchema | undefined {
  const strict = def.catchall?._zod.def.type === 'never';
  if (def.catchall !== undefined && !strict) return undefined;
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, value] of Object.entries(def.shape ?? {})) {
    const optional = value._zod.def.type === 'optional';
    const property = jsonSchemaOf(optional ? value._zod.def.innerType : value, plain);
    if (!property) return undefined;
    properties[key] = property;
    if (!optional) required.push(key);
  }
  return {
    type: 'object',
    properties,
    // fast-json-stringify writes required properties first; without `required` it keeps the
    // schema's order, as zod's copy does (ajv, which checks, has it).
    ...(plain && required.length ? { required } : {}),
    ...(strict ? { additionalProperties: false } : {}),
    ...(plain ? { plainJson: true } : {}),
  };
}

function nullableSchema(inner: JsonSchema | undefined): JsonSchema | undefined {
  // `type: [T, 'null']`: ajv applies T's keywords to T's values only; fast-json-stringify writes
  // either without its anyOf path (which runs a validator per value).
  if (!inner || typeof inner.type !== 'string' || inner.type === 'null') return undefined;
  return { ...inner, type: [inner.type, 'null'], ...(Array.isArray(inner.enum) ? { enum: [...inner.enum, null] } : {}) };
}

function stringValues(values: unknown[], checked: boolean): JsonSchema | undefined {
  if (values.length === 0 || !values.every((value) => typeof value === 'string')) return undefined;
  // ajv admits only these values: when none needs escaping, neither does what is written.
  return { type: 'string', enum: values, ...writtenAsIs(!checked && values.every(writesAsIs)) };
}

export function jsonSchemaOf(schema: ZodLike | z.ZodType | undefined, plain = false): JsonSchema | undefined {
  if (!schema) return undefined;
  const def = (schema as ZodLike)._zod.def;
  const checks = checksOf(def);
  if (!checks) return undefined;
  const unchecked = checks.length === 0;
  switch (def.type) {
    case 'string':
      return stringSchema(checks, plain);
    case 'number':
      return numberSchema(checks);
    case 'boolean':
      return unchecked ? { type: 'boolean' } : undefined;
    case 'null':
      return unchecked ? { type: 'null' } : undefined;
    case 'enum':
      return unchecked ? stringValues(Object.values(def.entries ?? {}), plain) : undefined;
    case 'literal':
      return unchecked ? stringValues(def.values ?? [], plain) : undefined;
    case 'nullable':
      return unchecked ? nullableSchema(jsonSchemaOf(def.innerType, plain)) : undefined;
    case 'object':
      return unchecked ? objectSchema(def, plain) : undefined;
    case 'array': {
      const items = unchecked ? jsonSchemaOf(def.element, plain) : undefined;
      return items ? { type: 'array', items, ...(plain ? { plainJson: true } : {}) } : undefined;
    }
    default:
      return undefined;
  }
}
