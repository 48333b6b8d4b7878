import { describe, expect, it } from 'vitest';
import {
  AppError,
  badRequest,
  conflict,
  forbidden,
  gatewayTimeout,
  internal,
  notFound,
  payloadTooLarge,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unprocessable,
  unsupportedMediaType,
  validationError,
} from './app-error.js';
import { ERROR_CODES, codeForStatus } from './codes.js';
import { mapError, toIssues } from './to-envelope.js';

describe('error → envelope mapping', () => {
  const factories = [
    [badRequest, 'VALIDATION_ERROR', 400],
    [unauthorized, 'UNAUTHORIZED', 401],
    [forbidden, 'FORBIDDEN', 403],
    [notFound, 'NOT_FOUND', 404],
    [conflict, 'CONFLICT', 409],
    [payloadTooLarge, 'PAYLOAD_TOO_LARGE', 413],
    [unsupportedMediaType, 'UNSUPPORTED_MEDIA_TYPE', 415],
    [unprocessable, 'UNPROCESSABLE', 422],
    [() => tooManyRequests(), 'RATE_LIMITED', 429],
    [internal, 'INTERNAL_ERROR', 500],
    [serviceUnavailable, 'SERVICE_UNAVAILABLE', 503],
    [gatewayTimeout, 'GATEWAY_TIMEOUT', 504],
  ] as const;

  it('covers every code of the contract table', () => {
    expect(new Set(factories.map(([, code]) => code))).toEqual(new Set(Object.keys(ERROR_CODES)));
  });

  it.each(factories)('%o maps to its code and true status', (factory, code, status) => {
    const mapped = mapError(factory());
    expect(mapped).toMatchObject({ code, status });
    expect(ERROR_CODES[code]).toBe(status);
  });

  it('keeps AppError message, issues and headers', () => {
    const mapped = mapError(validationError([{ path: 'email', message: 'Invalid email' }]));
    expect(mapped.issues).toEqual([{ path: 'email', message: 'Invalid email' }]);
    expect(mapError(tooManyRequests(12.2)).headers).toEqual({ 'retry-after': 13 });
    expect(mapError(new AppError('CONFLICT', 'E-mail taken')).message).toBe('E-mail taken');
  });

  it('hides unknown errors behind a generic 500', () => {
    const mapped = mapError(new Error('duplicate key value violates unique constraint "users_pkey"'));
    expect(mapped).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error', unexpected: true });
    expect(mapError(undefined).status).toBe(500);
    expect(mapError('a string').status).toBe(500);
  });

  it('answers an unreachable database or broker with 503 and Retry-After, never 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const startingUp = Object.assign(new Error('the database system is starting up'), { name: 'PostgresError', code: '57P03' });
    const closed = Object.assign(new Error('write CONNECTION_CLOSED 127.0.0.1:5432'), { code: 'CONNECTION_CLOSED' });
    const wrapped = new Error('Failed query: select password_hash from users\nparams: x', { cause: closed });
    for (const error of [refused, startingUp, closed, wrapped, Object.assign(new Error('x'), { name: 'ClosedConnectionError' })]) {
      expect(mapError(error)).toEqual({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: 'Service temporarily unavailable, try again shortly',
        headers: { 'retry-after': 1 },
        unexpected: true,
      });
    }
    // A query that is wrong is still a bug.
    expect(mapError(Object.assign(new Error('syntax error'), { name: 'PostgresError', code: '42601' })).status).toBe(500);
  });

  it('maps Fastify framework errors', () => {
    const fst = (code: string, statusCode: number) => Object.assign(new Error('x'), { code, statusCode });
    expect(mapError(fst('FST_ERR_CTP_BODY_TOO_LARGE', 413))).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(mapError(fst('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415))).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(mapError(Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }))).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    const rateLimit = Object.assign(new Error('Rate limit exceeded, retry in 1 minute'), { statusCode: 429 });
    expect(mapError(rateLimit)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(mapError(Object.assign(new Error('upstream'), { statusCode: 503 }))).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(mapError(Object.assign(new Error('upstream'), { statusCode: 504 }))).toMatchObject({ status: 504, code: 'GATEWAY_TIMEOUT', message: expect.not.stringContaining('upstream') });
  });

  it('turns schema validation entries into dotted issue paths', () => {
    expect(
      toIssues([
        { instancePath: '/lines/0/quantity', keyword: 'too_small', message: 'Too small' },
        { instancePath: '', keyword: 'unrecognized_keys', message: 'Unrecognized key', params: { keys: ['role', 'isActive'] } },
        { instancePath: '/profile', keyword: 'unrecognized_keys', params: { keys: ['x'] } },
      ]),
    ).toEqual([
      { path: 'lines.0.quantity', message: 'Too small' },
      { path: 'role', message: 'Unknown field' },
      { path: 'isActive', message: 'Unknown field' },
      { path: 'profile.x', message: 'Unknown field' },
    ]);
  });

  it('derives codes for bare statuses', () => {
    expect(codeForStatus(404)).toBe('NOT_FOUND');
    expect(codeForStatus(405)).toBe('VALIDATION_ERROR');
    expect(codeForStatus(502)).toBe('INTERNAL_ERROR');
  });
});
