import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { deadLetterStream, messageIdHeader } from '@platform/contracts';
import { deadLetterHeaders, toMsgHdrs } from '../headers.js';
import {
  DeadLetterNotFoundError,
  deadLetterStreamName,
  scanDeadLetters,
  showDeadLetter,
  storedBody,
  type DeadLetterDetail,
  type DeadLetterFilter,
} from './dead-letters.js';

/** Which dead letters: the given ids, or `all` of those matching the filter (never neither). */
export interface DeadLetterSelection extends DeadLetterFilter {
  ids?: string[];
  all?: boolean;
}

export interface RedriveResult {
  redriven: number;
  skipped: { id: string; reason: string }[];
}

/** Header on a redriven message: which dead letter it came from (for logs and `recentEvents`). */
export const redriveHeader = 'x-redriven-from';

/** Nothing selected is a caller's mistake, not "nothing to do": an empty selection never means everything. */
export class DeadLetterSelectionError extends Error {
  constructor() {
    super('select dead letters by id, or pass all (optionally with a subject or service filter)');
    this.name = 'DeadLetterSelectionError';
  }
}

async function* select(js: JetStreamClient, selection: DeadLetterSelection): AsyncGenerator<DeadLetterDetail | { id: string; missing: true }> {
  if (selection.ids && selection.ids.length > 0) {
    for (const id of selection.ids) {
      try {
        yield await showDeadLetter(js, id, selection);
      } catch (err) {
        if (!(err instanceof DeadLetterNotFoundError)) throw err;
        yield { id, missing: true };
      }
    }
    return;
  }
  if (!selection.all) throw new DeadLetterSelectionError();
  // Collected first: redriving while scanning would meet the stream changing under the scan.
  const found: DeadLetterDetail[] = [];
  for await (const detail of scanDeadLetters(js, selection)) found.push(detail);
  yield* found;
}

/** The original `Nats-Msg-Id`: recorded on the dead letter, else read from the original stream, else the event id. */
async function originalMsgId(jsm: JetStreamManager, dl: DeadLetterDetail): Promise<string | null> {
  const recorded = dl.headers[deadLetterHeaders.originalMsgId];
  if (recorded) return recorded;
  const stream = dl.headers[deadLetterHeaders.originalStream];
  const seq = Number(dl.headers[deadLetterHeaders.originalSequence]);
  if (stream && Number.isSafeInteger(seq) && seq > 0) {
    const original = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    const id = original?.header?.get(messageIdHeader);
    if (id) return id;
  }
  return dl.eventId;
}

/**
 * Republishes each selected dead letter to its original subject with its original headers and
 * `Nats-Msg-Id`, then deletes it from DEAD_LETTERS. Every consumer of the subject receives it
 * again; each applies an event id once (the inbox, or analytics' unique event id), so only the
 * consumer that failed does anything. If the stream still remembers the id (a dead letter younger
 * than the duplicate window, 2 minutes), the server drops the publish (`duplicate` in the ack):
 * it is then published under `<id>:redrive:<dead-letter seq>`, the same envelope and event id,
 * so it is delivered and the inbox still keeps the effect to once. A crash between the publish
 * and the delete leaves the dead letter; redriving it again is harmless for the same reason.
 */
export async function redriveDeadLetters(js: JetStreamClient, selection: DeadLetterSelection): Promise<RedriveResult> {
  const jsm = await js.jetstreamManager();
  const stream = deadLetterStreamName(selection.namespace);
  const result: RedriveResult = { redriven: 0, skipped: [] };
  for await (const dl of select(js, selection)) {
    if ('missing' in dl) {
      result.skipped.push({ id: dl.id, reason: 'no such dead letter' });
      continue;
    }
    const subject = dl.headers[deadLetterHeaders.originalSubject];
    if (!subject || !dl.originalSubject) {
      result.skipped.push({ id: dl.id, reason: `no ${deadLetterHeaders.originalSubject} header` });
      continue;
    }
    const msgId = await originalMsgId(jsm, dl);
    if (!msgId) {
      result.skipped.push({ id: dl.id, reason: `no original ${messageIdHeader} and the body has no event id` });
      continue;
    }
    const kept = Object.fromEntries(Object.entries(dl.headers).filter(([key]) => !key.startsWith('x-dlq-')));
    const headers = () => toMsgHdrs({ ...kept, [redriveHeader]: `${deadLetterStream.name}:${dl.id}` });
    const body = storedBody(dl);
    const ack = await js.publish(subject, body, { msgID: msgId, headers: headers(), timeout: 5_000 });
    if (ack.duplicate) {
      await js.publish(subject, body, { msgID: `${msgId}:redrive:${dl.id}`, headers: headers(), timeout: 5_000 });
    }
    await jsm.streams.deleteMessage(stream, dl.seq, false).catch((err: unknown) => {
      // Deleted meanwhile (another operator): the publish happened, the inbox dedups it.
      if (!/no message found|not found/i.test(String(err))) throw err;
    });
    result.redriven += 1;
  }
  return result;
}

/** Deletes the selected dead letters for good (after reading them; nothing is republished). */
export async function purgeDeadLetters(js: JetStreamClient, selection: DeadLetterSelection): Promise<{ purged: number }> {
  const jsm = await js.jetstreamManager();
  const stream = deadLetterStreamName(selection.namespace);
  let purged = 0;
  for await (const dl of select(js, selection)) {
    if ('missing' in dl) continue;
    if (await jsm.streams.deleteMessage(stream, dl.seq, false).catch(() => false)) purged += 1;
  }
  return { purged };
}
