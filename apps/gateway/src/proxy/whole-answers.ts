import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';

/** What @fastify/reply-from hands its `onResponse` hook (its types call it a raw response; it is this). */
export interface UpstreamAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** undici's body: a Readable that can also be consumed whole. */
  stream: Readable & { bytes?: () => Promise<Uint8Array> };
}

/**
 * Answers of at most this many bytes (their Content-Length says so) are read whole and sent as
 * one buffer; larger ones, and those without a length (chunked, streamed), are piped as before.
 * The bound keeps the memory held per request at 64 KiB.
 */
export const WHOLE_ANSWER_MAX_BYTES = 64 * 1024;

/**
 * reply-from's `onResponse`: status and headers are already on the reply. Piping a small answer
 * costs a stream pipe and end-of-stream watchers on both sides, and sends every header through
 * Node's `setHeader` (streams cannot use `writeHead`): a quarter of the proxied request's
 * JavaScript in the gateway's profile (docs/benchmarks.md, issue 12 round 5). A buffer goes
 * through Fastify's plain send: one `writeHead`, one write. When the body fails before it is
 * complete (the upstream closed or timed out mid-answer), nothing has been sent yet: the
 * upstream's headers are dropped and `onBodyError` answers instead (503/504 in the envelope).
 */
export function sendUpstreamAnswer(reply: FastifyReply, answer: UpstreamAnswer, onBodyError: (reply: FastifyReply, failure: { error: Error }) => void): void {
  const length = answer.headers['content-length'];
  const readWhole = answer.stream.bytes;
  if (reply.request.method === 'HEAD' || typeof length !== 'string' || !(Number(length) <= WHOLE_ANSWER_MAX_BYTES) || typeof readWhole !== 'function') {
    reply.send(answer.stream);
    return;
  }
  readWhole.call(answer.stream).then(
    (body) => reply.send(body),
    (error: Error) => {
      for (const name of Object.keys(answer.headers)) reply.removeHeader(name);
      // The upstream's copy of the id went with its headers; the gateway's (the same id) goes back.
      reply.header('x-request-id', reply.request.id);
      onBodyError(reply, { error });
    },
  );
}
