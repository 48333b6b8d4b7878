import type { FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import * as z from 'zod';

interface ObjectSchema {
  _zod: { def: { type: string; catchall?: unknown } };
  strict(): unknown;
}

/** A `z.object(...)` that says nothing about unknown keys (`strictObject` and `looseObject` have a catchall). */
function isPlainObjectSchema(schema: unknown): schema is ObjectSchema {
  const def = (schema as Partial<ObjectSchema> | null)?._zod?.def;
  return def?.type === 'object' && def.catchall === undefined && typeof (schema as ObjectSchema).strict === 'function';
}

/**
 * docs/contract.md §2: unknown query parameters are a 400, on every route. A query schema written as
 * `z.object(...)` (or extended from one) would silently drop `?ownerId=`; the validator makes
 * it strict, so no route can forget. Only an explicit `z.looseObject(...)` stays loose (a test
 * double echoing whatever it gets).
 */
export const strictQueryValidatorCompiler: typeof validatorCompiler = (route) => {
  const validate = validatorCompiler(route.httpPart === 'querystring' && isPlainObjectSchema(route.schema) ? { ...route, schema: route.schema.strict() as z.ZodType } : route);
  return route.schema === NO_QUERY ? noQuery(validate) : validate;
};

/** The query schema of a route that takes none (see below). */
const NO_QUERY = z.strictObject({});

/**
 * `NO_QUERY`'s check without zod for the query every such request sends, none: an object with no
 * keys is what zod accepts (and answers as an empty object); anything else goes to zod, which
 * refuses it with its own error.
 */
function noQuery(validate: ReturnType<typeof validatorCompiler>): ReturnType<typeof validatorCompiler> {
  return (data) => {
    if (typeof data !== 'object' || data === null) return validate(data);
    for (const _ in data) return validate(data);
    return { value: data };
  };
}

/**
 * A route with a schema but no query schema takes no query parameters: it gets an empty strict
 * one. Hidden routes are left alone (the gateway's proxy passes query strings on untouched, for
 * the service to judge; Swagger UI's static files).
 */
export function installStrictQueryStrings(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.schema && route.schema.querystring === undefined && route.schema.hide !== true) {
      route.schema.querystring = NO_QUERY;
    }
  });
}
