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

function stringSchema(checks: CheckDef[]): JsonSchema | undefined {
  if (checks.length > 1) return undefined;
  const [check] = checks;
  if (!check) return { type: 'string' };
  const { pattern } = check;
  const exact = check.check === 'string_format' && PATTERN_FORMATS.has(check.format ?? '') && pattern instanceof RegExp && pattern.flags === '';
  // ajv runs `new RegExp(source)` (unicodeRegExp off): the same regex, the same answers.
  return exact ? { type: 'string', pattern: pattern.source } : undefined;
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

function stringValues(values: unknown[]): JsonSchema | undefined {
  return values.length > 0 && values.every((value) => typeof value === 'string') ? { type: 'string', enum: values } : undefined;
}

export function jsonSchemaOf(schema: ZodLike | z.ZodType | undefined, plain = false): JsonSchema | undefined {
  if (!schema) return undefined;
  const def = (schema as ZodLike)._zod.def;
  const checks = checksOf(def);
  if (!checks) return undefined;
  const unchecked = checks.length === 0;
  switch (def.type) {
    case 'string':
      return stringSchema(checks);
    case 'number':
      return numberSchema(checks);
    case 'boolean':
      return unchecked ? { type: 'boolean' } : undefined;
    case 'null':
      return unchecked ? { type: 'null' } : undefined;
    case 'enum':
      return unchecked ? stringValues(Object.values(def.entries ?? {})) : undefined;
    case 'literal':
      return unchecked ? stringValues(def.values ?? []) : undefined;
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
