import { randomUUID } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { userRegisteredV1, type EventEnvelope } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import type { Db } from '@platform/db-kit';
import { createDependencyMonitor, type DependencyMonitor } from '@platform/resilience';
import { createTcpProxy, type TcpProxy } from '@platform/resilience/testing';
import { eq, inArray, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsumer, createOutboxRelay, enqueueEvent, inboxTable, outboxTable } from '../src/index.js';
import { pipelinedTransaction, TransactionTimeoutError } from '../src/pipelined-transaction.js';
import { countSubjectMessages, waitFor } from '../src/testing/index.js';
import { useConsumerFixture } from './consumer-fixture.js';
import { widgets } from './schema.js';

type UserRegistered = EventEnvelope<typeof userRegisteredV1>;
const fx = useConsumerFixture('cutbatch');

// The relay's and consumers' pool goes through a proxy the test cuts while a batch's transaction
// is open (BEGIN and the first statements sent on a reserved connection, COMMIT not yet): before
// the reserved-connection fixes the statements sent after the cut never settled, so neither did
// the batch, the loop, nor stop() and the app's close (the boot tests' afterAll hang).
let proxy: TcpProxy;
let pool: postgres.Sql;
let db: Db;
let closes = 0;
let availability: DependencyMonitor;
beforeEach(async () => {
  closes = 0;
  proxy = await createTcpProxy('127.0.0.1', 5432);
  pool = postgres(proxy.url(fx.tdb.url), { max: 2, connect_timeout: 2, backoff: () => 0.02, onclose: () => closes++, onnotice: () => undefined });
  db = drizzle(pool) as unknown as Db;
  availability = createDependencyMonitor({ name: 'postgres', probe: () => pool`select 1`, logger: fx.m.logger });
});
afterEach(async () => {
  availability.close();
  await pool.end({ timeout: 1 });
  await proxy.close();
});

/** The fault: cut, then wait until the pool has seen its connection close (the next statement meets a closed connection). */
async function cutAndWaitForClose(): Promise<void> {
  const before = closes;
  proxy.cut();
  await waitFor(() => closes > before);
}

const stream = () => fx.m.streamName('USERS');
const subject = () => fx.m.subject(userRegisteredV1.type);

describe('a connection cut in the middle of a batch', () => {
  it('relay: the batch fails instead of hanging, stop() returns, and the event is published again later, once', async () => {
    const event = await fx.tdb.db.transaction((tx) =>
      enqueueEvent(tx, userRegisteredV1, sampleEvent('users.user.registered.v1').data, { correlationId: randomUUID() }),
    );
    let cut = false;
    // Acked by JetStream, then the database goes away before the batch records it: the mark and
    // COMMIT go to a closed connection.
    const js: Pick<JetStreamClient, 'publish'> = {
      publish: async (...args: Parameters<JetStreamClient['publish']>) => {
        const ack = await fx.m.js.publish(...args);
        if (!cut) {
          cut = true;
          await cutAndWaitForClose();
        }
        return ack;
      },
    };
    const failures: unknown[] = [];
    // Bounds far above the test's timeout: what ends the batch here is the failed connection, not a timer.
    const relay = createOutboxRelay({
      db,
      js,
      logger: fx.m.logger,
      namespace: fx.m.namespace,
      pollIntervalMs: 50,
      errorBackoffMs: 50,
      availability: { ...availability, report: (err: unknown) => (failures.push(err), availability.report(err)) },
      batchTimeoutMs: 600_000,
      stopTimeoutMs: 600_000,
    });
    await relay.start();
    await waitFor(() => failures.length > 0);
    await relay.stop();
    expect(failures[0]).toMatchObject({ code: expect.stringMatching(/CONNECTION_CLOSED|ECONNRESET|EPIPE/) });

    // Not lost: unmarked, so a relay after the outage sends it again; the stream keeps it once.
    const [row] = await fx.tdb.db.select().from(outboxTable).where(eq(outboxTable.id, event.id));
    expect(row?.publishedAt).toBeNull();
    proxy.restore();
    const again = createOutboxRelay({ db, js: fx.m.js, logger: fx.m.logger, namespace: fx.m.namespace });
    expect(await again.flush()).toBe(1);
    const [marked] = await fx.tdb.db.select().from(outboxTable).where(eq(outboxTable.id, event.id));
    expect(marked?.publishedAt).not.toBeNull();
    expect(await countSubjectMessages(fx.m.jsm, stream(), subject())).toBe(1);
  }, 20_000);

  it('consumer: the batch fails instead of hanging, stop() returns, and a new consumer applies the event once', async () => {
    let cut = false;
    const consumerFor = () =>
      createConsumer({
        name: 'cut-mid-batch',
        stream: 'users',
        contracts: [userRegisteredV1],
        handler: async (event: UserRegistered, tx) => {
          if (!cut) {
            cut = true;
            await cutAndWaitForClose(); // inside the open transaction, after the inbox insert
          }
          await tx
            .insert(widgets)
            .values({ id: event.data.userId, name: event.data.fullName, applied: 1 })
            .onConflictDoUpdate({ target: widgets.id, set: { applied: sql`${widgets.applied} + 1` } });
        },
        db,
        availability,
        js: fx.m.js,
        jsm: fx.m.jsm,
        logger: fx.m.logger,
        namespace: fx.m.namespace,
        ackWaitMs: 2_000,
        batchTimeoutMs: 600_000,
        stopTimeoutMs: 600_000,
      });
    const first = consumerFor();
    await first.start();
    const event = sampleEvent('users.user.registered.v1');
    await fx.m.js.publish(subject(), JSON.stringify(event), { msgID: event.id });
    // The failed batch reported the database down: the message is held, not spent.
    await waitFor(() => cut && availability.isDown());
    await first.stop();

    proxy.restore();
    const second = consumerFor();
    await second.start();
    fx.running.push(second);
    const applied = async () => fx.tdb.db.select().from(widgets).where(inArray(widgets.id, [event.data.userId]));
    await waitFor(async () => (await applied()).length === 1, { timeoutMs: 10_000 });
    expect((await applied())[0]?.applied).toBe(1);
    expect(await fx.tdb.db.select().from(inboxTable).where(eq(inboxTable.eventId, event.id))).toHaveLength(1);
  }, 20_000);
});

describe('bounds', () => {
  it('a transaction past its bound fails, and its session is ended: locks released, the connection usable again', async () => {
    const id = randomUUID();
    let stuck!: () => void;
    const never = new Promise<void>((resolve) => (stuck = resolve));
    await expect(
      pipelinedTransaction(
        pool,
        async (conn) => {
          await conn`insert into widgets (id, name) values (${id}, 'held')`;
          await never; // e.g. an ack that never comes on a connection gone silent
        },
        undefined,
        { timeoutMs: 300 },
      ),
    ).rejects.toBeInstanceOf(TransactionTimeoutError);
    // Rolled back by the server: the row was never committed and nobody holds its lock.
    await waitFor(async () => {
      const [open] = await fx.tdb.sql<[{ n: number }]>`
        select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`;
      return open?.n === 0;
    });
    expect(await fx.tdb.db.select().from(widgets).where(eq(widgets.id, id))).toEqual([]);
    stuck();
    // Both of the pool's connections serve again (the ended one reconnects).
    await expect(Promise.all([pool`select 1 as one`, pool`select 2 as two`])).resolves.toHaveLength(2);
  });

  it('relay stop() waits for a stuck batch no longer than its bound', async () => {
    await fx.tdb.db.transaction((tx) => enqueueEvent(tx, userRegisteredV1, sampleEvent('users.user.registered.v1').data, { correlationId: randomUUID() }));
    let publishing = false;
    let unblock!: () => void;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const js: Pick<JetStreamClient, 'publish'> = {
      publish: async (...args: Parameters<JetStreamClient['publish']>) => {
        publishing = true;
        await blocked;
        return fx.m.js.publish(...args);
      },
    };
    const relay = createOutboxRelay({ db, js, logger: fx.m.logger, namespace: fx.m.namespace, pollIntervalMs: 50, batchTimeoutMs: 600_000, stopTimeoutMs: 200 });
    await relay.start();
    await waitFor(() => publishing);
    await relay.stop(); // the test's own timeout is the bound's check: without one this waited for `blocked`
    unblock();
    // The batch still finishes on its own (its rows are marked), after stop() returned.
    await waitFor(async () => (await fx.tdb.db.select().from(outboxTable).where(sql`${outboxTable.publishedAt} is null`)).length === 0);
  });
});
