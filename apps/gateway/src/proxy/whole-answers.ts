import type { FastifyReply } from 'fastify';
import { isWholeBody, type UpstreamBody } from './upstream-client.js';

/** What @fastify/reply-from hands its `onResponse` hook (its types call it a raw response; it is this). */
export interface UpstreamAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as upstream-client.ts read it: whole (small answers) or a stream. */
  stream: UpstreamBody;
}

/**
 * reply-from's `onResponse`: status and headers are already on the reply. Piping a small answer
 * costs a stream pipe and end-of-stream watchers on both sides, and sends every header through
 * Node's `setHeader` (streams cannot use `writeHead`): a quarter of the proxied request's
 * JavaScript in the gateway's profile (docs/benchmarks.md, issue 12 round 5). A small answer
 * arrives whole (upstream-client.ts: a failure before its end was already answered 503/504 by
 * the proxy's `onError`, with none of the upstream's headers) and goes through Fastify's plain
 * send: one `writeHead`, one write. Larger answers, and HEAD answers, are piped.
 */
export function sendUpstreamAnswer(reply: FastifyReply, answer: UpstreamAnswer): void {
  const body = answer.stream;
  reply.send(isWholeBody(body) ? body.whole : body);
}
