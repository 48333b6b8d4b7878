import { randomBytes } from 'node:crypto';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from '@platform/logging';
import { createLogger } from '@platform/logging';
import { waitFor } from '@platform/resilience/testing';
import { connectNats, type NatsHandle } from '../connect.js';
import { hdrsToRecord } from '../headers.js';
import { namespacedStream, namespacedSubject } from '../namespace.js';
import { ensureStreams } from '../streams.js';
import { deadLetterStream } from '@platform/contracts';

export const defaultTestNatsUrl = 'nats://127.0.0.1:4222';

export interface TestMessaging extends NatsHandle {
  /** Unique per call, e.g. `t1f2e3d4c`: prefix of every subject and stream of this test file. */
  namespace: string;
  logger: Logger;
  /** Creates this namespace's streams (memory storage, short duplicate window unless given). */
  ensureStreams(duplicateWindowMs?: number): Promise<void>;
  streamName(name: string): string;
  subject(type: string): string;
  /** Deletes every stream (and so every consumer) of the namespace, then closes the connection. */
  cleanup(): Promise<void>;
}

/** A NATS connection plus a private namespace, so test files share one server without interfering. */
export async function createTestMessaging(
  options: { servers?: string; logger?: Logger; prefix?: string } = {},
): Promise<TestMessaging> {
  const namespace = `${options.prefix ?? 't'}${randomBytes(4).toString('hex')}`;
  const logger = options.logger ?? createLogger({ service: 'messaging-test', level: 'silent' });
  const handle = await connectNats({ servers: options.servers ?? defaultTestNatsUrl, name: namespace, logger });
  return {
    ...handle,
    namespace,
    logger,
    async ensureStreams(duplicateWindowMs = 120_000) {
      await ensureStreams({ jsm: handle.jsm, namespace, storage: 'memory', duplicateWindowMs });
    },
    streamName: (name) => namespacedStream(name, namespace),
    subject: (type) => namespacedSubject(type, namespace),
    async cleanup() {
      await deleteNamespaceStreams(handle.jsm, namespace);
      await handle.close();
    },
  };
}

export async function deleteNamespaceStreams(jsm: JetStreamManager, namespace: string): Promise<void> {
  const prefix = namespacedStream('', namespace);
  const names: string[] = [];
  for await (const info of jsm.streams.list()) {
    if (info.config.name.startsWith(prefix)) names.push(info.config.name);
  }
  await Promise.all(names.map((n) => jsm.streams.delete(n).catch(() => false)));
}

// The platform's one bounded poller; re-exported so tests that use messaging's kit need one import.
export { waitFor };

/**
 * Every durable consumer of `stream` (or just `consumers`) has nothing left to do: no message
 * pending delivery, none delivered and awaiting an ack (a nak'ed one waiting for its redelivery
 * counts as awaiting). Once true, whatever the consumers were going to do with what the stream
 * holds is committed: the condition to wait for before asserting that something did NOT happen.
 */
export async function consumersIdle(jsm: JetStreamManager, stream: string, consumers?: string[]): Promise<boolean> {
  const infos = [];
  for await (const info of jsm.consumers.list(stream)) {
    if (!consumers || consumers.includes(info.name)) infos.push(info);
  }
  if (consumers && infos.length < consumers.length) return false;
  return infos.every((info) => info.num_pending === 0 && info.num_ack_pending === 0);
}

/** Waits (bounded) until `consumersIdle` holds for every stream given. */
export async function waitForConsumersIdle(
  jsm: JetStreamManager,
  streams: string[],
  { timeoutMs = 10_000, consumers }: { timeoutMs?: number; consumers?: string[] } = {},
): Promise<void> {
  await waitFor(
    async () => {
      for (const stream of streams) if (!(await consumersIdle(jsm, stream, consumers))) return false;
      return true;
    },
    { timeoutMs, intervalMs: 50 },
  );
}

export interface StoredMessage {
  seq: number;
  subject: string;
  data: string;
  headers: Record<string, string>;
}

/** Every message stored in a stream (optionally one subject), oldest first. */
export async function readStreamMessages(
  jsm: JetStreamManager,
  stream: string,
  subject?: string,
): Promise<StoredMessage[]> {
  const info = await jsm.streams.info(stream);
  const out: StoredMessage[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!msg || (subject && msg.subject !== subject)) continue;
    out.push({ seq: msg.seq, subject: msg.subject, data: new TextDecoder().decode(msg.data), headers: hdrsToRecord(msg.header) });
  }
  return out;
}

/** How many messages a stream stores on one exact subject. */
export async function countSubjectMessages(jsm: JetStreamManager, stream: string, subject: string): Promise<number> {
  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

/** The dead letters of a namespace, for asserting what a consumer gave up on and why. */
export function readDeadLetters(jsm: JetStreamManager, namespace?: string): Promise<StoredMessage[]> {
  return readStreamMessages(jsm, namespacedStream(deadLetterStream.name, namespace));
}
export { startNatsCluster, natsServerBinary, type NatsCluster, type ClusterNode } from './nats-cluster.js';
export { listenToOutboxNotifies, type OutboxNotifies } from './outbox-notifies.js';
