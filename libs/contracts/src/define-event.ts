import type { z } from 'zod';

/**
 * An event contract: its subject (`type`), major version and the zod schema of `data`.
 * `type` doubles as the NATS subject, so it is built, never typed by hand.
 */
export interface EventContract<
  TType extends string = string,
  TSchema extends z.ZodType = z.ZodType,
> {
  readonly type: TType;
  readonly source: string;
  readonly entity: string;
  readonly action: string;
  readonly version: number;
  readonly schema: TSchema;
}

export type EventData<C extends EventContract> = z.output<C['schema']>;
export type EventInput<C extends EventContract> = z.input<C['schema']>;

const segment = /^[a-z][a-z0-9_]*$/;

export function defineEvent<
  const S extends string,
  const E extends string,
  const A extends string,
  const V extends number,
  TSchema extends z.ZodType,
>(def: {
  source: S;
  entity: E;
  action: A;
  version: V;
  schema: TSchema;
}): EventContract<`${S}.${E}.${A}.v${V}`, TSchema> {
  for (const part of [def.source, def.entity, def.action]) {
    // A dot or wildcard here would silently change which streams/consumers match.
    if (!segment.test(part)) throw new Error(`invalid event subject segment "${part}"`);
  }
  if (!Number.isInteger(def.version) || def.version < 1) {
    throw new Error(`invalid event version ${def.version}`);
  }
  return Object.freeze({
    type: `${def.source}.${def.entity}.${def.action}.v${def.version}` as const,
    source: def.source,
    entity: def.entity,
    action: def.action,
    version: def.version,
    schema: def.schema,
  });
}
