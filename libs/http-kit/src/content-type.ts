import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { badRequest } from './errors/app-error.js';
import { jsonNestingExceeds, TOO_DEEP_MESSAGE } from './json-depth.js';

/**
 * JSON is the only body the platform takes: every other content type is a 415. An empty body
 * with a JSON content type counts as "no body", so body-less action routes accept it and routes
 * with a body schema answer 400 (missing body) through normal validation. JSON nested deeper
 * than 32 levels is a 400 before it is parsed, so nothing recursive ever sees it.
 */
export function installJsonOnlyParsing(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  const parser: FastifyBodyParser<string> = (request, body, done) => {
    if (body.trim() === '') {
      done(null, undefined);
      return;
    }
    if (jsonNestingExceeds(body)) {
      done(badRequest(TOO_DEEP_MESSAGE), undefined);
      return;
    }
    parseJson(request, body, done);
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
  app.addContentTypeParser(/^application\/[a-z0-9.+-]+\+json$/i, { parseAs: 'string' }, parser);
}
