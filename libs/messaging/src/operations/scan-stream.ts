import { DeliverPolicy, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';

export interface ScanOptions {
  /** One subject filter (wildcards allowed); NATS 2.9 takes one per consumer. */
  filterSubject?: string;
  /** Only messages stored at or after this instant (the server skips the rest). */
  since?: Date;
  /** Gives up when the server sends nothing for this long (a stream changing under us). */
  idleTimeoutMs?: number;
}

/**
 * Every message a stream holds now (optionally one subject, from a time), oldest first, through an
 * ephemeral ordered consumer: one pass, nothing to ack, nothing left on the server. Ends at the
 * message the server reports as the last one pending; the caller may stop early (`break`).
 */
export async function* scanStream(js: JetStreamClient, stream: string, options: ScanOptions = {}): AsyncGenerator<JsMsg> {
  const consumer = await js.consumers.get(stream, {
    ...(options.filterSubject ? { filter_subjects: options.filterSubject } : {}),
    ...(options.since ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: options.since.toISOString() } : {}),
  });
  const info = await consumer.info(false);
  if (info.num_pending === 0) return;
  const messages = await consumer.consume({ max_messages: 256, expires: options.idleTimeoutMs ?? 5_000 });
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => void messages.close(), options.idleTimeoutMs ?? 5_000);
  };
  try {
    armIdle();
    for await (const msg of messages) {
      armIdle();
      yield msg;
      if (msg.info.pending === 0) break;
    }
  } finally {
    clearTimeout(idle);
    await messages.close();
  }
}
