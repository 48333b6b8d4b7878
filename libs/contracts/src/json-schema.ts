import * as z from 'zod';
import type { EventContract } from './define-event.js';
import { eventEnvelopeSchema } from './envelope.js';

/** A JSON Schema (draft-07) object as zod emits it. */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * The JSON Schema of what may travel on the wire: zod's *input* side, so an object does not say
 * `additionalProperties: false` (unknown fields are stripped on receipt, not rejected). Draft-07 is
 * the dialect AsyncAPI schemas build on.
 */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as JsonSchema;
  return rest;
}

/** The JSON Schema of a contract's `data`. */
export const dataJsonSchema = (contract: EventContract): JsonSchema => toJsonSchema(contract.schema);

/** The JSON Schema of the envelope every event travels in (`data` left open: each contract fills it). */
export const envelopeJsonSchema = (): JsonSchema => toJsonSchema(eventEnvelopeSchema);
