import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { badRequest, type AppError } from '@platform/http-kit';
import { redactUrl } from '@platform/logging';

export type NormalisedTarget = { ok: true; url: string } | { ok: false; reason: string };

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A `%` not followed by two hex digits. */
const BROKEN_ESCAPE = /%(?![0-9a-f]{2})/i;
/**
 * Encoded forms that change a path's structure depending on who decodes it, and how often:
 * `/` and `\` (a separator hidden in a segment), `%` (double encoding: `%252e` is `.` after two
 * decodings), `;` (path parameters: `..;/` is `../` to some servers) and control characters.
 */
const AMBIGUOUS_ESCAPE = /%(2f|5c|25|3b|[01][0-9a-f]|7f)/i;
const ESCAPE = /%([0-9a-f]{2})/gi;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

const refuse = (reason: string): NormalisedTarget => ({ ok: false, reason });
/** Nothing to normalise: an origin-form path without `\`, `%`, `;`, `#`, `//` or a segment starting with a dot. */
const ALREADY_NORMAL = /^\/(?![/.])(?:[^\\%;#?/]|\/(?![/.]))*(?:\?[^#]*)?$/;

/**
 * The request target as the gateway decides on it, and as it forwards it: the path of an
 * absolute-form target (`GET http://host/api/... HTTP/1.1`), backslashes read as slashes (as a
 * URL parser reads them), runs of slashes collapsed, percent-encoded unreserved characters
 * decoded (RFC 3986 §6.2.2.2, so `%2e` is a dot), then `.` and `..` segments removed (RFC 3986 §5.2.4).
 * The query string is kept as sent. Targets no normalisation can make unambiguous are refused:
 * a `;`, encoded separators, double encoding, encoded control characters, broken escapes, a
 * fragment, `*` or authority-form.
 */
export function normaliseTarget(target: string): NormalisedTarget {
  if (ALREADY_NORMAL.test(target)) return { ok: true, url: target };
  let pathAndQuery = target;
  if (ABSOLUTE_FORM.test(target)) {
    let parsed: URL;
    try {
      parsed = new URL(target);
    } catch {
      return refuse('malformed absolute-form target');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return refuse('not an http(s) target');
    pathAndQuery = `${parsed.pathname}${parsed.search}`;
  }
  if (!pathAndQuery.startsWith('/') && !pathAndQuery.startsWith('\\')) return refuse('not an origin-form target');
  if (pathAndQuery.includes('#')) return refuse('fragment in the target');
  const queryAt = pathAndQuery.indexOf('?');
  const rawPath = queryAt === -1 ? pathAndQuery : pathAndQuery.slice(0, queryAt);
  const query = queryAt === -1 ? '' : pathAndQuery.slice(queryAt);
  if (rawPath.includes(';')) return refuse('path parameters');
  if (BROKEN_ESCAPE.test(rawPath) || AMBIGUOUS_ESCAPE.test(rawPath)) return refuse('ambiguous percent-encoding');

  const decoded = rawPath.replace(ESCAPE, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : escape;
  });
  const segments = decoded.split(/[/\\]+/).slice(1);
  const kept: string[] = [];
  for (const segment of segments) {
    if (segment === '..') kept.pop();
    else if (segment !== '.') kept.push(segment);
  }
  // `/a/b/..` is the directory `/a/`, as a URL parser resolves it.
  const last = segments.at(-1);
  if ((last === '.' || last === '..') && kept.at(-1) !== '') kept.push('');
  return { ok: true, url: `/${kept.join('/')}${query}` };
}

const REFUSED = Symbol('gateway.refusedTarget');
type MarkedRequest = IncomingMessage & { [REFUSED]?: string };
/** Where a refused target is routed meanwhile: nothing is ever forwarded from it. */
const NOWHERE = '/';

/**
 * For Fastify's `rewriteUrl`: routing, hooks (auth, rate limits, deprecation), logs and the
 * proxy all see the normalised target; `request.originalUrl` keeps what the client sent.
 */
export function rewriteToNormalisedTarget(request: IncomingMessage): string {
  const target = request.url ?? '';
  // Nearly every target: nothing to normalise, and no result object per request.
  if (ALREADY_NORMAL.test(target)) return target;
  const result = normaliseTarget(target);
  if (result.ok) return result.url;
  (request as MarkedRequest)[REFUSED] = result.reason;
  return NOWHERE;
}

/** A refused target's 400 in the gateway's envelope (logged once), or undefined for every other request. */
export function refusedTarget(request: FastifyRequest): AppError | undefined {
  const reason = (request.raw as MarkedRequest)[REFUSED];
  if (reason === undefined) return undefined;
  request.log.info({ reason, target: redactUrl(request.originalUrl.slice(0, 500)) }, 'request target refused');
  return badRequest('Malformed request path');
}
