import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

/** Header names the platform puts on every event message (besides `Nats-Msg-Id`): part of the wire contract. */
export { messageHeaders } from '@platform/contracts';

/** Headers a dead letter carries so an operator can see what failed, where and why. */
export const deadLetterHeaders = {
  reason: 'x-dlq-reason',
  consumer: 'x-dlq-consumer',
  originalSubject: 'x-dlq-original-subject',
  originalStream: 'x-dlq-original-stream',
  originalSequence: 'x-dlq-original-sequence',
  deliveryCount: 'x-dlq-delivery-count',
  failedAt: 'x-dlq-failed-at',
  /** The original `Nats-Msg-Id` (itself never copied: the server would dedup the dead letter on it). */
  originalMsgId: 'x-dlq-original-msg-id',
} as const;

// Server-interpreted headers must not be copied onto a dead letter (they would dedup or reject it).
const reserved = /^nats-/i;

/** Header values are single lines; reasons come from errors and may hold anything. */
export function headerValue(value: string, max = 1024): string {
  return value.replace(/[\r\n]+/g, ' ').slice(0, max);
}

export function toMsgHdrs(values: Record<string, string>, copyFrom?: MsgHdrs): MsgHdrs {
  const h = natsHeaders();
  if (copyFrom) {
    for (const [key, list] of copyFrom) {
      if (!reserved.test(key)) for (const v of list) h.append(key, v);
    }
  }
  for (const [key, value] of Object.entries(values)) h.set(key, headerValue(value));
  return h;
}

export function hdrsToRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const [key, list] of h) out[key] = list.join(', ');
  return out;
}
