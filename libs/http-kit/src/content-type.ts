import type { FastifyBodyParser, FastifyInstance } from 'fastify';

/**
 * JSON is the only body the platform takes: every other content type is a 415. An empty body
 * with a JSON content type counts as "no body", so body-less action routes accept it and routes
 * with a body schema answer 400 (missing body) through normal validation.
 */
export function installJsonOnlyParsing(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  const parser: FastifyBodyParser<string> = (request, body, done) => {
    if (body.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, body, done);
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
  app.addContentTypeParser(/^application\/[a-z0-9.+-]+\+json$/i, { parseAs: 'string' }, parser);
}
