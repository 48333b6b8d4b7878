import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { userRegisteredV1 } from '@platform/contracts';
import { sampleEventData } from '@platform/contracts/testing';
import { createTestDatabase, type TestDatabase } from '@platform/db-kit/testing';
import { createLogger } from '@platform/logging';
import { isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectNats,
  createConsumer,
  createOutboxRelay,
  enqueueEvent,
  ensureStreams,
  namespacedStream,
  outboxTable,
  type EventConsumer,
  type NatsHandle,
  type OutboxRelay,
} from '../src/index.js';
import { countSubjectMessages, natsServerBinary, startNatsCluster, waitFor, type NatsCluster } from '../src/testing/index.js';
import { widgets } from './schema.js';

/**
 * The short version of the clustered-broker scenario (the long one, with the real platform, is
 * `npm run chaos -- cluster`): R3 streams on a 3-node cluster of our own, an outbox relay and a
 * durable inbox consumer under a small load, and the node leading the USERS stream killed halfway.
 */
const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
const namespace = 'cluster';
const stream = namespacedStream('USERS', namespace);
const subject = `${namespace}.${userRegisteredV1.type}`;
const sample = sampleEventData['users.user.registered.v1'];
const logger = createLogger({ service: 'cluster-test', level: 'silent' });
const EVENTS = 120;

if (!existsSync(natsServerBinary)) {
  throw new Error(`this test needs nats-server at ${natsServerBinary}: apt-get install -y nats-server (.ci/run installs it)`);
}

let cluster: NatsCluster;
let tdb: TestDatabase;
let publisher: NatsHandle;
let subscriber: NatsHandle;
let relay: OutboxRelay;
let consumer: EventConsumer;

beforeAll(async () => {
  [cluster, tdb] = await Promise.all([startNatsCluster({ size: 3 }), createTestDatabase({ prefix: 'cluster', migrationsFolder })]);
  const admin = await connectNats({ servers: cluster.url, name: 'cluster-admin', logger });
  await ensureStreams({ jsm: admin.jsm, namespace, streams: ['users'], replicas: 3, storage: 'file' });
  // Publisher and consumer are given only the future victim as their seed: killing it must make
  // both fail over to nodes they learnt from the cluster, not from their configuration.
  const leader = await cluster.leaderOf(stream);
  await admin.close();
  const seed = cluster.nodes.find((n) => n.name === leader)!.url;
  publisher = await connectNats({ servers: seed, name: 'cluster-publisher', logger });
  subscriber = await connectNats({ servers: seed, name: 'cluster-subscriber', logger });
  relay = createOutboxRelay({ db: tdb.db, sql: tdb.sql, js: publisher.js, logger, namespace, publishTimeoutMs: 2_000, errorBackoffMs: 200 });
  consumer = createConsumer({
    name: 'cluster-widgets',
    stream: 'users',
    contracts: [userRegisteredV1],
    handler: async (event, tx) => {
      await tx
        .insert(widgets)
        .values({ id: event.data.userId, name: event.data.fullName, applied: 1 })
        .onConflictDoUpdate({ target: widgets.id, set: { applied: sql`${widgets.applied} + 1` } });
    },
    db: tdb.db,
    js: subscriber.js,
    jsm: subscriber.jsm,
    logger,
    namespace,
    ackWaitMs: 3_000,
    backoffMs: [100, 200],
  });
  await relay.start();
  await consumer.start();
}, 60_000);

afterAll(async () => {
  await consumer?.stop();
  await relay?.stop();
  await Promise.all([publisher?.close(), subscriber?.close()]);
  await Promise.all([cluster?.stop(), tdb?.drop()]);
}, 30_000);

/** One state change and its event per transaction, as a service writes them. */
async function write(count: number) {
  for (let i = 0; i < count; i++) {
    await tdb.db.transaction(async (tx) => enqueueEvent(tx, userRegisteredV1, sample(), { correlationId: `cluster-${i}` }));
  }
}

describe('a clustered broker (R3 streams)', () => {
  it('moves an existing single-replica stream to the configured replica count on the next start', async () => {
    const billing = namespacedStream('BILLING', namespace);
    await ensureStreams({ jsm: publisher.jsm, namespace, streams: ['billing'], replicas: 1, storage: 'file' });
    expect((await publisher.jsm.streams.info(billing)).config.num_replicas).toBe(1);
    await ensureStreams({ jsm: publisher.jsm, namespace, streams: ['billing'], replicas: 3, storage: 'file' });
    const info = await waitFor(async () => {
      const current = await publisher.jsm.streams.info(billing);
      return current.cluster?.replicas?.length === 2 ? current : undefined;
    }, { timeoutMs: 15_000 });
    expect(info.config.num_replicas).toBe(3);
  }, 30_000);

  it('keeps every event exactly once when the USERS stream leader dies under load', async () => {
    const info = await publisher.jsm.streams.info(stream);
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas).toHaveLength(2);

    await write(EVENTS / 2);
    // Some of the load has gone through the leader before it dies, the rest is in flight or later.
    await waitFor(async () => (await tdb.db.$count(widgets)) >= EVENTS / 4, { timeoutMs: 15_000 });
    const victim = await cluster.leaderOf(stream);
    const victimUrl = cluster.nodes.find((n) => n.name === victim)!.url;
    const [, newLeader] = await Promise.all([write(EVENTS / 2), cluster.kill(victim).then(() => cluster.leaderOf(stream, 15_000))]);

    expect(newLeader).not.toBe(victim);
    // Every event has its effect exactly once: one widget each, each applied once.
    await waitFor(async () => (await tdb.db.$count(widgets)) === EVENTS, { timeoutMs: 60_000, intervalMs: 200 });
    await waitFor(async () => (await tdb.db.$count(outboxTable, isNull(outboxTable.publishedAt))) === 0, { timeoutMs: 15_000 });
    const applied = await tdb.db.select({ applied: widgets.applied }).from(widgets);
    expect(applied.filter((w) => w.applied !== 1)).toEqual([]);
    // The stream stored each event once (a publish retried after the failover is deduplicated).
    expect(await countSubjectMessages(publisher.jsm, stream, subject)).toBe(EVENTS);
    // Both clients reconnected to a surviving node.
    for (const handle of [publisher, subscriber]) {
      expect(handle.nc.isClosed()).toBe(false);
      expect(handle.nc.getServer()).not.toBe(victimUrl.replace('nats://', ''));
      await handle.ping();
    }
  }, 120_000);
});
