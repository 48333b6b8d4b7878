import type { FastifyInstance } from 'fastify';
import { validationError } from './errors/app-error.js';

export const NUL_MESSAGE = 'NUL characters are not allowed';

/** The dotted path of the first string holding a NUL character, if any. */
export function findNul(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') : undefined;
  // Raw bodies (the gateway forwards bytes untouched) are the upstream's to judge.
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = findNul(child, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Postgres refuses NUL in text and jsonb, so a NUL that reached a query would be a 500. Every
 * service refuses it once, here, before validation: a NUL anywhere in the body, the query string
 * or the path parameters is a 400 naming the field, and nothing is stored.
 */
export function installNulGuard(app: FastifyInstance): void {
  // A callback hook, not an async one: no promise and no extra microtask on every request.
  app.addHook('preValidation', (request, _reply, done) => {
    for (const part of [request.body, request.query, request.params]) {
      const path = findNul(part);
      if (path !== undefined) return done(validationError([{ path, message: NUL_MESSAGE }], 'Invalid request'));
    }
    done();
  });
}
