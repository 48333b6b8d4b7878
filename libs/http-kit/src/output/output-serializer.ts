import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import fastJson from 'fast-json-stringify';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { jsonSchemaOf } from './json-schema-of.js';

/**
 * Every response body is checked against its route's zod schema before it is written; this is
 * the same check, cheaper. The profile of the hot reads put zod's `safeEncode` (a parse and a copy
 * of every field) plus `JSON.stringify` at 13-21 % of a service's busy time (docs/benchmarks.md,
 * issue 12 round 4). Where the schema translates exactly (json-schema-of.ts), the body is checked
 * by an ajv-compiled validator and written by fast-json-stringify, which writes only the
 * properties the schema names: what zod's copy stripped never reaches the client either. Both are
 * Fastify's own (@fastify/ajv-compiler is its request validator), already loaded by every app.
 *
 * zod stays the authority: a body ajv refuses goes through zod exactly as before - zod's error
 * (a 500 with the envelope, logged, as always) or, if zod accepts what ajv did not, zod's bytes.
 * So ajv only has to never accept what zod refuses, and fast-json-stringify to write what
 * `JSON.stringify` of zod's copy writes; output-serializer.test.ts holds both to that.
 */
const compileValidator = AjvCompiler()(
  {},
  {
    customOptions: {
      // Fastify's defaults coerce, fill defaults and drop unknown properties: a check must not change the body.
      coerceTypes: false,
      useDefaults: false,
      removeAdditional: false,
      allErrors: false,
      // NaN and ±Infinity are not numbers for zod either.
      strictNumbers: true,
      allowUnionTypes: true,
      // Patterns are zod's own regexes, flags '' (json-schema-of.ts): the same RegExp, not a `u` one.
      unicodeRegExp: false,
      validateFormats: false,
    },
    onCreate(ajv) {
      // fast-json-stringify writes `value.toJSON()` where a value has one; zod would have written
      // the checked fields. Such a value is left to zod.
      ajv.addKeyword({
        keyword: 'plainJson',
        type: ['object', 'array'],
        schemaType: 'boolean',
        errors: false,
        validate: (_schema: boolean, data: { toJSON?: unknown }) => typeof data.toJSON !== 'function',
      });
    },
  },
);

interface Compiled {
  validate: (data: unknown) => boolean;
  stringify: (data: unknown) => string;
}

/** Per zod schema (the error envelope is one object shared by every route); `null`: zod only. */
const compiledBySchema = new WeakMap<z.ZodType, Compiled | null>();

/** The compiled check and writer of a response schema, `null` when it does not translate exactly. */
export function compiledOutput(schema: z.ZodType): Compiled | null {
  let compiled = compiledBySchema.get(schema);
  if (compiled !== undefined) return compiled;
  const checked = jsonSchemaOf(schema, true);
  const written = jsonSchemaOf(schema, false);
  compiled =
    checked && written
      ? { validate: compileValidator({ schema: checked, method: '', url: '', httpPart: 'body' }) as (data: unknown) => boolean, stringify: fastJson(written) as (data: unknown) => string }
      : null;
  compiledBySchema.set(schema, compiled);
  return compiled;
}

function resolveSchema(maybeSchema: unknown): z.ZodType {
  if (maybeSchema instanceof z.ZodType) return maybeSchema;
  const wrapped = (maybeSchema as { properties?: unknown } | null)?.properties;
  if (wrapped instanceof z.ZodType) return wrapped;
  throw new Error(`A response schema must be a zod schema: ${JSON.stringify(maybeSchema)}`);
}

/** zod's own path, as fastify-type-provider-zod's serializerCompiler runs it. */
export function zodSerializer(schema: z.ZodType, method: string, url: string): (data: unknown) => string {
  return (data) => {
    const result = z.safeEncode(schema, data);
    if (result.error) throw new ResponseSerializationError(method, url, { cause: result.error });
    return JSON.stringify(result.data);
  };
}

/**
 * Fastify's serializer compiler for every route: compiled on a response schema's first use (so a
 * cold start pays for the routes it serves, not for every status of every route).
 */
export const outputSerializerCompiler: FastifySerializerCompiler<unknown> = ({ schema: maybeSchema, method, url }) => {
  const schema = resolveSchema(maybeSchema);
  const viaZod = zodSerializer(schema, method, url);
  let compiled: Compiled | null | undefined;
  return (data) => {
    compiled ??= compiledOutput(schema);
    if (compiled !== null && compiled.validate(data)) return compiled.stringify(data);
    return viaZod(data);
  };
};
