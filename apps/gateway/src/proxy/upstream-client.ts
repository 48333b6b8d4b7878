import { Readable } from 'node:stream';
import { Agent, errors, type Dispatcher } from 'undici';

/**
 * Answers of at most this many bytes (their Content-Length says so) are read whole before
 * reply-from sees them; larger ones, and those without a length (chunked, streamed), are
 * streamed. The bound keeps the memory held per request at 64 KiB.
 */
export const WHOLE_ANSWER_MAX_BYTES = 64 * 1024;

/** A small answer's body, complete: what reply-from hands `onResponse` as `res.stream`. */
export interface WholeBody {
  readonly whole: Buffer;
  /** reply-from destroys the body of an answer whose client went away: nothing is left to free. */
  destroy(): void;
}

export type UpstreamBody = Readable | WholeBody;

export const isWholeBody = (body: unknown): body is WholeBody => (body as Partial<WholeBody> | null)?.whole instanceof Buffer;

/** What reply-from passes to an undici instance's `request` (lib/request.js, `handleUndici`). */
interface ForwardedRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string | Buffer | Readable;
}

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: UpstreamBody;
}

type Callback = (error: Error | null, answer?: Answer) => void;

/** Nothing to free: the chunks are the answer's own. */
const noop = (): void => undefined;

/**
 * One forwarded request, on undici's dispatch handler API. undici's own `request()` wraps every
 * answer's body in a Readable, and reading a small one whole from it (`body.bytes()`) took a
 * promise, a microtask, three listeners and half a dozen `process.nextTick` turns of the stream
 * machinery per request (nextTick alone ~8 µs a proxied request against ~1 in the bare proxy
 * under the profiler, docs/benchmarks.md, issue 12 round 7). Here a small answer's chunks are
 * collected as undici parses them and handed over complete; a larger one gets a plain Readable
 * with backpressure (undici paused while it is full) and an abort when it is destroyed.
 * A failure before the answer is complete is an error of the request itself, so reply-from's
 * retry and error mapping (503/504) apply to it as to a refused connection.
 */
class AnswerHandler implements Dispatcher.DispatchHandler {
  private statusCode = 0;
  private headers: Answer['headers'] = {};
  private chunks: Buffer[] | null = null;
  private stream: Readable | null = null;
  private settled = false;

  constructor(
    private readonly method: string,
    private readonly callback: Callback,
  ) {}

  onRequestStart(): void {
    // Required even empty: undici tells this handler API from the legacy one by this method.
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Answer['headers']): void {
    // An informational answer (103 Early Hints) comes before the answer: undici's own request()
    // passes over it too. Taken for the answer, it went out as the final status.
    if (statusCode < 200) return;
    const length = headers['content-length'];
    if (this.method !== 'HEAD' && typeof length === 'string' && Number(length) <= WHOLE_ANSWER_MAX_BYTES) {
      this.statusCode = statusCode;
      this.headers = headers;
      this.chunks = [];
      return;
    }
    const stream = new Readable({
      read: () => controller.resume(),
      destroy: (error, done) => {
        if (!this.settled) {
          this.settled = true;
          controller.abort(error ?? new errors.RequestAbortedError());
        }
        done(error);
      },
    });
    this.stream = stream;
    this.callback(null, { statusCode, headers, body: stream });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.chunks) this.chunks.push(chunk);
    else if (this.stream && !this.stream.push(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.settled = true;
    if (this.stream) {
      this.stream.push(null);
      return;
    }
    const chunks = this.chunks ?? [];
    const whole = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    this.callback(null, { statusCode: this.statusCode, headers: this.headers, body: { whole, destroy: noop } });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.settled) return;
    this.settled = true;
    if (this.stream) this.stream.destroy(error);
    else this.callback(error);
  }
}

/**
 * The HTTP client reply-from forwards through (its `undici` option takes any object with
 * `request`): an undici Agent (a keep-alive pool per replica), its answers read by
 * `AnswerHandler`. reply-from still builds the request, rewrites headers, retries and maps errors.
 */
export function upstreamClient(options: Agent.Options) {
  const agent = new Agent(options);
  return {
    request(request: ForwardedRequest, callback: Callback): void {
      agent.dispatch(request as Dispatcher.DispatchOptions, new AnswerHandler(request.method, callback));
    },
    close: () => agent.close(),
    destroy: () => agent.destroy(),
  };
}
