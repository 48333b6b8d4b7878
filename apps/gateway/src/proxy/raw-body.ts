import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { badRequest, jsonNestingExceeds, TOO_DEEP_MESSAGE } from '@platform/http-kit';

/**
 * The gateway forwards request bodies byte for byte: parsing and re-serialising JSON would
 * change what a service validates (`1.0` becomes `1`, big numbers lose digits, duplicate keys
 * collapse). It still refuses what no service would take, in its own envelope: a body over
 * BODY_LIMIT (413, before anything is forwarded), a body that is not JSON (415) and JSON nested
 * deeper than 32 levels (400; counted over the bytes, nothing is parsed). Malformed JSON is the
 * service's to judge (400 in its envelope).
 */
export function keepRawJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const keepBytes: FastifyBodyParser<Buffer> = (_request, body, done) => {
    if (jsonNestingExceeds(body)) {
      done(badRequest(TOO_DEEP_MESSAGE), undefined);
      return;
    }
    done(null, body.length === 0 ? undefined : body);
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, keepBytes);
  app.addContentTypeParser(/^application\/[a-z0-9.+-]+\+json$/i, { parseAs: 'buffer' }, keepBytes);
}
