import { isDeepStrictEqual } from 'node:util';
import type { JsonSchema } from '../json-schema.js';

/** One difference between a recorded schema and the current one, at `path` (`email`, `lines[].amount`). */
export interface SchemaChange {
  path: string;
  breaking: boolean;
  message: string;
}

// Annotations change no value's validity.
const annotations = new Set(['$schema', '$comment', 'title', 'description', 'examples', 'default', 'deprecated']);
// Bounds where a larger value accepts less (a "lower" bound) or more (an "upper" bound).
const lowerBounds = new Set(['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties']);
const upperBounds = new Set(['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties']);
const structural = new Set(['type', 'properties', 'required', 'items', 'enum']);

const isSchema = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (value: unknown) => JSON.stringify(value);
const field = (path: string) => (path ? `field "${path}"` : 'the data');
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const typesOf = (schema: JsonSchema): string[] =>
  schema.type === undefined ? [] : (Array.isArray(schema.type) ? schema.type.map(String) : [String(schema.type)]).sort();

/**
 * Compares the recorded JSON Schema of a published contract version with the current one.
 *
 * Producers and consumers of one `vN` are deployed independently and both validate, so a version
 * may only change in ways valid for both an old producer with a new consumer and a new producer
 * with an old consumer: adding an optional field (old consumers strip it, new consumers don't
 * need it) and editing annotations. Everything else (a removed or renamed field, a field made
 * required or optional, a changed type, an enum value removed or added, a bound or pattern moved)
 * is breaking and is reported naming the field.
 */
export function compareSchemas(recorded: JsonSchema, current: JsonSchema, path = ''): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const breaking = (message: string) => changes.push({ path, breaking: true, message });

  const before = typesOf(recorded);
  const after = typesOf(current);
  if (!isDeepStrictEqual(before, after)) {
    breaking(`the type of ${field(path)} changed from ${before.join('|') || 'any'} to ${after.join('|') || 'any'}`);
    return changes; // the rest follows from the type and would only repeat it
  }

  if (isSchema(recorded.properties) || isSchema(current.properties)) changes.push(...compareObjects(recorded, current, path));
  if (isSchema(recorded.items) && isSchema(current.items)) changes.push(...compareSchemas(recorded.items, current.items, `${path}[]`));
  else if (!isDeepStrictEqual(recorded.items, current.items)) breaking(`the items of ${field(path)} changed`);
  if (recorded.enum !== undefined || current.enum !== undefined) compareEnums(recorded.enum, current.enum, path, breaking);

  const keywords = new Set([...Object.keys(recorded), ...Object.keys(current)]);
  for (const keyword of keywords) {
    if (annotations.has(keyword) || structural.has(keyword)) continue;
    const [was, now] = [recorded[keyword], current[keyword]];
    if (isDeepStrictEqual(was, now)) continue;
    if (lowerBounds.has(keyword) || upperBounds.has(keyword)) breaking(describeBound(keyword, was, now, path));
    else if (was === undefined) breaking(`${field(path)} gained ${keyword} ${show(now)}: values valid before may now be rejected`);
    else if (now === undefined) breaking(`${field(path)} lost ${keyword} ${show(was)}: consumers on the old schema reject what it now allows`);
    else breaking(`${keyword} of ${field(path)} changed from ${show(was)} to ${show(now)}`);
  }
  return changes;
}

function compareObjects(recorded: JsonSchema, current: JsonSchema, path: string): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const was = (isSchema(recorded.properties) ? recorded.properties : {}) as Record<string, JsonSchema>;
  const now = (isSchema(current.properties) ? current.properties : {}) as Record<string, JsonSchema>;
  const wasRequired = new Set(Array.isArray(recorded.required) ? (recorded.required as string[]) : []);
  const nowRequired = new Set(Array.isArray(current.required) ? (current.required as string[]) : []);
  for (const [key, schema] of Object.entries(was)) {
    const at = join(path, key);
    if (!(key in now)) {
      changes.push({ path: at, breaking: true, message: `${field(at)} was removed (a rename is a removal too): consumers of this version may read it` });
      continue;
    }
    if (!wasRequired.has(key) && nowRequired.has(key)) {
      changes.push({ path: at, breaking: true, message: `${field(at)} became required: producers on the old schema may leave it out` });
    } else if (wasRequired.has(key) && !nowRequired.has(key)) {
      changes.push({ path: at, breaking: true, message: `${field(at)} became optional: consumers on the old schema require it` });
    }
    const nowSchema = now[key];
    if (nowSchema) changes.push(...compareSchemas(schema, nowSchema, at));
  }
  for (const key of Object.keys(now)) {
    if (key in was) continue;
    const at = join(path, key);
    changes.push(
      nowRequired.has(key)
        ? { path: at, breaking: true, message: `new ${field(at)} is required: producers on the old schema do not send it (add it as optional)` }
        : { path: at, breaking: false, message: `optional ${field(at)} added` },
    );
  }
  return changes;
}

function compareEnums(was: unknown, now: unknown, path: string, breaking: (message: string) => void): void {
  if (!Array.isArray(was) || !Array.isArray(now)) {
    breaking(was === undefined ? `${field(path)} became an enum ${show(now)}` : `${field(path)} is no longer an enum (was ${show(was)})`);
    return;
  }
  const removed = was.filter((v) => !now.some((n) => isDeepStrictEqual(n, v)));
  const added = now.filter((v) => !was.some((w) => isDeepStrictEqual(w, v)));
  if (removed.length > 0) breaking(`enum value ${removed.map(show).join(', ')} of ${field(path)} was removed: producers on the old schema still send it`);
  if (added.length > 0) breaking(`enum value ${added.map(show).join(', ')} was added to ${field(path)}: consumers on the old schema reject it`);
}

function describeBound(keyword: string, was: unknown, now: unknown, path: string): string {
  const lower = lowerBounds.has(keyword);
  const narrowed =
    typeof was === 'number' && typeof now === 'number' ? (lower ? now > was : now < was) : was === undefined; // a new bound narrows
  const detail = `${keyword} ${was === undefined ? 'none' : show(was)} → ${now === undefined ? 'none' : show(now)}`;
  return narrowed
    ? `${field(path)} was narrowed (${detail}): values producers on the old schema send may be rejected`
    : `${field(path)} was widened (${detail}): consumers on the old schema reject the new values`;
}
