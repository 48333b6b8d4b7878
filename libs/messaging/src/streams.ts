import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '@platform/logging';
import { deadLetterStream, streams, type StreamDefinition, type StreamKey } from '@platform/contracts';
import { namespacedStream, namespacedSubject } from './namespace.js';

export interface EnsureStreamsOptions {
  jsm: JetStreamManager;
  namespace?: string;
  /** Which producing streams (default: all of them, so consumers can start before producers). */
  streams?: readonly (StreamKey | StreamDefinition)[];
  /** Window in which a repeated `Nats-Msg-Id` is dropped (default 2 minutes). */
  duplicateWindowMs?: number;
  /** Tests use memory storage; services keep the default file storage. */
  storage?: 'file' | 'memory';
  /**
   * How many cluster nodes keep each stream (`EVENT_STREAM_REPLICAS`, default 1). An existing
   * stream with another count is updated to it (the server moves the replicas itself) and the
   * change is logged, so raising it in production is just a restart of the services.
   */
  replicas?: number;
  logger?: Logger;
}

/** A stream definition resolved against a namespace: the real name and subjects on the server. */
export function resolveStream(stream: StreamKey | StreamDefinition, namespace?: string): StreamDefinition {
  const def = typeof stream === 'string' ? streams[stream] : stream;
  return {
    name: namespacedStream(def.name, namespace),
    subjects: def.subjects.map((s) => namespacedSubject(s, namespace)),
  };
}

/** Creates or updates every stream, the dead-letter stream included; safe to run on every start. */
export async function ensureStreams(options: EnsureStreamsOptions): Promise<StreamDefinition[]> {
  const wanted = [...(options.streams ?? (Object.keys(streams) as StreamKey[])), deadLetterStream];
  const resolved = wanted.map((s) => resolveStream(s, options.namespace));
  // Independent streams: one round of requests to the server at boot, not one after another.
  await Promise.all(resolved.map((def) => ensureStream(options.jsm, def, options)));
  return resolved;
}

async function ensureStream(jsm: JetStreamManager, def: StreamDefinition, options: EnsureStreamsOptions): Promise<void> {
  const config = {
    name: def.name,
    subjects: [...def.subjects],
    storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
    num_replicas: options.replicas ?? 1,
  } satisfies Partial<StreamConfig>;
  const existing = await jsm.streams.info(def.name).catch(() => null);
  if (!existing) {
    try {
      await jsm.streams.add(config);
      return;
    } catch (err) {
      // Another process created it between our info and add: fall through to update.
      if (!(await jsm.streams.info(def.name).catch(() => null))) throw err;
    }
  }
  const current = existing?.config.num_replicas ?? (await jsm.streams.info(def.name)).config.num_replicas;
  if (current !== config.num_replicas) {
    options.logger?.warn({ stream: def.name, from: current, to: config.num_replicas }, 'changing the replica count of a stream');
  }
  // Storage cannot change on a live stream; everything else we own is updatable.
  const { storage: _storage, ...updatable } = config;
  await jsm.streams.update(def.name, updatable);
}
