import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { messageIdHeader } from '@platform/contracts';
import { deadLetterHeaders, toMsgHdrs } from './headers.js';
import { deadLetterSubject } from './namespace.js';

export interface DeadLetterInput {
  js: Pick<JetStreamClient, 'publish'>;
  consumer: string;
  msg: JsMsg;
  reason: string;
  namespace?: string;
  timeoutMs?: number;
}

/**
 * Copies a message the consumer gives up on to `dlq.<consumer>.<subject>`: the original body
 * untouched, the original headers, and the reason plus provenance in `x-dlq-*` headers.
 * The msg id makes a retried dead-lettering (crash before the ack) store one copy.
 */
export async function publishDeadLetter(input: DeadLetterInput): Promise<string> {
  const { msg, consumer, namespace } = input;
  const subject = deadLetterSubject(consumer, msg.subject, namespace);
  const originalMsgId = msg.headers?.get(messageIdHeader);
  const headers = toMsgHdrs(
    {
      [deadLetterHeaders.reason]: input.reason,
      [deadLetterHeaders.consumer]: consumer,
      [deadLetterHeaders.originalSubject]: msg.subject,
      [deadLetterHeaders.originalStream]: msg.info.stream,
      [deadLetterHeaders.originalSequence]: String(msg.seq),
      [deadLetterHeaders.deliveryCount]: String(msg.info.deliveryCount),
      [deadLetterHeaders.failedAt]: new Date().toISOString(),
      ...(originalMsgId ? { [deadLetterHeaders.originalMsgId]: originalMsgId } : {}),
    },
    msg.headers,
  );
  await input.js.publish(subject, msg.data, {
    msgID: `dlq:${consumer}:${msg.info.stream}:${msg.seq}`,
    headers,
    timeout: input.timeoutMs ?? 5_000,
  });
  return subject;
}
