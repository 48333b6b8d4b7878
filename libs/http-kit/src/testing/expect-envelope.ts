import type { LightMyRequestResponse } from 'fastify';
import type { EnvelopeCode } from '../errors/codes.js';

export interface ExpectedEnvelope {
  status: number;
  code: EnvelopeCode;
  module?: string;
}

export interface ParsedEnvelope<T = unknown> {
  code: string;
  message: string;
  module: string;
  data: T;
  meta?: { page: number; pageSize: number; total: number; totalPages: number };
  requestId: string;
}

/**
 * Asserts the contract shape of any response (status, code, envelope fields, request id header)
 * and returns the parsed body. Throws plain Errors so it works with any test runner.
 */
export function expectEnvelope<T = unknown>(
  response: Pick<LightMyRequestResponse, 'statusCode' | 'headers' | 'body'>,
  expected: ExpectedEnvelope,
): ParsedEnvelope<T> {
  const fail = (why: string): never => {
    throw new Error(`${why}\nstatus ${response.statusCode}, body: ${response.body.slice(0, 500)}`);
  };
  if (response.statusCode !== expected.status) fail(`expected status ${expected.status}`);
  let body: ParsedEnvelope<T>;
  try {
    body = JSON.parse(response.body) as ParsedEnvelope<T>;
  } catch {
    return fail('body is not JSON');
  }
  if (body.code !== expected.code) fail(`expected code ${expected.code}`);
  if (typeof body.message !== 'string') fail('envelope.message missing');
  if (typeof body.module !== 'string') fail('envelope.module missing');
  if (expected.module !== undefined && body.module !== expected.module) fail(`expected module ${expected.module}`);
  if (!('data' in body)) fail('envelope.data missing');
  const headerId = response.headers['x-request-id'];
  if (typeof headerId !== 'string' || headerId.length === 0) fail('x-request-id header missing');
  if (body.requestId !== headerId) fail('envelope.requestId differs from the x-request-id header');
  if (expected.status >= 400 && body.data !== null && typeof body.data !== 'object') fail('error data must be null or an object');
  return body;
}
