import type { FastifyInstance } from 'fastify';
import { validationError } from './errors/app-error.js';

export const NUL_MESSAGE = 'NUL characters are not allowed';

/** The keys down to the first string holding a NUL, innermost first; built only once one is found. */
function nulKeys(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? [] : undefined;
  // Raw bodies (the gateway forwards bytes untouched) are the upstream's to judge.
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return undefined;
  // for-in, not Object.entries: no array of pairs per object (every request's query and params).
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const found = nulKeys((value as Record<string, unknown>)[key]);
    if (found !== undefined) {
      found.push(key);
      return found;
    }
  }
  return undefined;
}

/** The dotted path of the first string holding a NUL, if any. */
export function findNul(value: unknown): string | undefined {
  return nulKeys(value)?.reverse().join('.');
}

/**
 * Postgres refuses NUL in text and jsonb, so a NUL that reached a query would be a 500. Every
 * service refuses it once, here, before validation: a NUL anywhere in the body, the query string
 * or the path parameters is a 400 naming the field, and nothing is stored.
 */
export function installNulGuard(app: FastifyInstance): void {
  // A callback hook: it runs on every request with a body, query or params, and is synchronous.
  app.addHook('preValidation', (request, _reply, done) => {
    const path = findNul(request.body) ?? findNul(request.query) ?? findNul(request.params);
    done(path === undefined ? undefined : validationError([{ path, message: NUL_MESSAGE }], 'Invalid request'));
  });
}
