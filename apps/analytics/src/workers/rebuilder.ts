import { conflict } from '@platform/http-kit';
import type { Logger } from '@platform/logging';
import { resolveStream, type NatsHandle } from '@platform/messaging';
import type { ServiceWorker } from '@platform/service-kit';
import type { Sql } from 'postgres';
import { ingestLockKey, storeEvents } from '../data/event-store.js';
import { rebuildRuns, type RebuildRun } from '../data/rebuild-runs.js';
import { rebuiltTables } from '../data/schema.js';
import { analyticsStreams, type StoredEvent } from '../domain/decode-event.js';
import { replayStream } from './replay-stream.js';

/** Held (session-level, on a reserved connection) for the whole rebuild: one at a time across replicas. */
const REBUILD_LOCK = 'analytics-rebuild';
const SHADOW = 'analytics_rebuild';
const RETIRED = 'analytics_retired';

export interface RebuildHooks {
  /** Tests pause here (shadow tables full, swap not yet done) to query the old tables meanwhile. */
  beforeSwap?: () => Promise<void>;
}

/**
 * A service worker (`/ready` check `rebuild`) that has nothing to do until asked: `run` starts a
 * rebuild in the background, `stop` (shutdown) aborts the one in flight and waits for it.
 */
export interface Rebuilder extends ServiceWorker {
  /** Starts a rebuild in the background; a rebuild already running anywhere → 409. */
  run(requestedBy: string): Promise<RebuildRun>;
  status(): Promise<RebuildRun | null>;
  stop(): Promise<void>;
}

/**
 * Replays every stream from its first message into fresh copies of the metric tables (schema
 * `analytics_rebuild`), then swaps them in within one transaction. The live consumers keep
 * filling the old tables meanwhile, and queries keep reading them; the swap transaction takes
 * each stream's ingest lock, replays what arrived since the replay started, and moves the tables,
 * so no event is lost or counted twice across the swap.
 */
export function createRebuilder(deps: {
  sql: Sql;
  nats: NatsHandle;
  namespace?: string;
  logger: Logger;
  batchSize: number;
  hooks?: RebuildHooks;
}): Rebuilder {
  const { sql, nats, namespace, hooks } = deps;
  const logger = deps.logger.child({ task: 'rebuild' });
  const runs = rebuildRuns(sql);
  let inFlight: Promise<void> | undefined;
  let aborting = false;

  const streamOf = (stream: (typeof analyticsStreams)[number]) => resolveStream(stream, namespace).name;
  const lastSeq = async (stream: (typeof analyticsStreams)[number]) => (await nats.jsm.streams.info(streamOf(stream))).state.last_seq;

  async function createShadowTables(): Promise<void> {
    await sql.unsafe(`drop schema if exists ${SHADOW} cascade`);
    await sql.unsafe(`create schema ${SHADOW}`);
    for (const table of rebuiltTables) {
      await sql.unsafe(`create table ${SHADOW}.${table} (like public.${table} including all)`);
    }
  }

  async function execute(run: RebuildRun): Promise<void> {
    let replayed = 0;
    const replay = (stream: (typeof analyticsStreams)[number], fromSeq: number, toSeq: number, store: (b: StoredEvent[]) => Promise<number>) =>
      replayStream({ js: nats.js, streamName: streamOf(stream), stream, fromSeq, toSeq, batchSize: deps.batchSize, store, aborted: () => aborting });
    try {
      await createShadowTables();
      const targets = new Map<string, number>();
      for (const stream of analyticsStreams) {
        const target = await lastSeq(stream);
        targets.set(stream, target);
        replayed += await replay(stream, 1, target, (batch) => sql.begin((tx) => storeEvents(tx, batch, { schema: SHADOW })) as Promise<number>);
      }
      await hooks?.beforeSwap?.();
      await sql.begin(async (tx) => {
        // Same lock the live ingest takes per batch: while held, nothing new lands in the old tables.
        for (const stream of analyticsStreams) await tx`select pg_advisory_xact_lock(hashtext(${ingestLockKey(stream)}))`;
        for (const stream of analyticsStreams) {
          const from = (targets.get(stream) ?? 0) + 1;
          replayed += await replay(stream, from, await lastSeq(stream), (batch) => storeEvents(tx, batch, { schema: SHADOW }));
        }
        await tx.unsafe(`create schema ${RETIRED}`);
        for (const table of rebuiltTables) await tx.unsafe(`alter table public.${table} set schema ${RETIRED}`);
        for (const table of rebuiltTables) await tx.unsafe(`alter table ${SHADOW}.${table} set schema public`);
        await tx.unsafe(`drop schema ${RETIRED} cascade`);
        await tx.unsafe(`drop schema ${SHADOW} cascade`);
      });
      await runs.finish(run.id, { eventsReplayed: replayed });
      logger.info({ runId: run.id, eventsReplayed: replayed }, 'rebuild swapped in');
    } catch (err) {
      logger.error({ err, runId: run.id }, 'rebuild failed, the live tables are unchanged');
      await sql.unsafe(`drop schema if exists ${SHADOW} cascade`).catch(() => undefined);
      await runs.finish(run.id, { eventsReplayed: replayed, error: err instanceof Error ? err.message : String(err) }).catch(() => undefined);
    }
  }

  return {
    name: 'rebuild',
    // Nothing runs until a route asks (`run`).
    start: () => undefined,
    async run(requestedBy) {
      const reserved = await sql.reserve();
      const release = async () => {
        await reserved`select pg_advisory_unlock(hashtext(${REBUILD_LOCK}))`.catch(() => undefined);
        reserved.release();
      };
      let locked = false;
      try {
        [{ locked }] = await reserved<{ locked: boolean }[]>`select pg_try_advisory_lock(hashtext(${REBUILD_LOCK})) as locked`;
      } finally {
        if (!locked) reserved.release();
      }
      if (!locked) throw conflict('A rebuild is already running');
      let run: RebuildRun;
      try {
        run = await runs.start(requestedBy);
      } catch (err) {
        await release();
        throw err;
      }
      aborting = false;
      inFlight = execute(run).finally(async () => {
        await release();
        inFlight = undefined;
      });
      logger.info({ runId: run.id, requestedBy }, 'rebuild started');
      return run;
    },
    status: () => runs.latest(),
    async stop() {
      aborting = true;
      await inFlight;
    },
  };
}
