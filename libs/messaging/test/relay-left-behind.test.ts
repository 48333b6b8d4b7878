// A run that a stop() which timed out left behind (its batch stuck on a publish) must end once that
// batch is recorded, not relay beside the run of the next start().
import { AsyncLocalStorage } from 'node:async_hooks';
import type { JetStreamClient } from '@nats-io/jetstream';
import { userRegisteredV1 } from '@platform/contracts';
import { sampleEventData } from '@platform/contracts/testing';
import { captureLogs } from '@platform/logging/testing';
import { deferred } from '@platform/resilience/testing';
import { eq } from 'drizzle-orm';
import type { Sql } from 'postgres';
import { describe, expect, it } from 'vitest';
import { createOutboxRelay, enqueueEvent, outboxTable } from '../src/index.js';
import { waitFor } from '../src/testing/index.js';
import { useConsumerFixture } from './consumer-fixture.js';

const fx = useConsumerFixture('relay_left_behind');
const sample = sampleEventData['users.user.registered.v1'];

/** Which start() a publish comes from: each start() runs in a context of its own, which its loop carries along. */
const startOf = new AsyncLocalStorage<string>();

const commitEvent = async () => (await fx.tdb.db.transaction((tx) => enqueueEvent(tx, userRegisteredV1, sample(), { correlationId: 'corr-left-behind' }))).id;
const publishedAt = async (id: string) => (await fx.tdb.db.select({ at: outboxTable.publishedAt }).from(outboxTable).where(eq(outboxTable.id, id)))[0]?.at ?? null;

describe('outbox relay: a run left behind by a stop() that timed out', () => {
  it('ends after its batch: an event committed after it is published by the next start() alone', async () => {
    const logs = captureLogs('messaging-test', 'debug');
    const published: Array<{ start: string | undefined; id: string | undefined }> = [];
    const firstPublishBegun = deferred();
    const firstPublishHeld = deferred();
    const js: Pick<JetStreamClient, 'publish'> = {
      async publish(subject, payload, opts) {
        published.push({ start: startOf.getStore(), id: opts?.msgID });
        if (published.length === 1) {
          firstPublishBegun.resolve();
          await firstPublishHeld.promise; // an ack that does not come before stop() gives up
        }
        return fx.m.js.publish(subject, payload, opts);
      },
    };
    // The second start()'s LISTEN is held, so its run starts only after the first run (were it
    // still going) has been handed the next event.
    const secondListenHeld = deferred();
    let listens = 0;
    const sql = new Proxy(fx.tdb.sql, {
      get(target, key, receiver) {
        if (key !== 'listen') return Reflect.get(target, key, receiver);
        return async (...args: Parameters<Sql['listen']>) => {
          if (++listens === 2) await secondListenHeld.promise;
          return target.listen(...args);
        };
      },
    });
    // A poll no test waits out: a run claims when it is woken.
    const relay = createOutboxRelay({ db: fx.tdb.db, sql, js, logger: logs.logger, namespace: fx.m.namespace, publishTimeoutMs: 1_000, pollIntervalMs: 60_000, stopTimeoutMs: 50 });
    fx.running.push(relay);
    try {
      await startOf.run('first', () => relay.start());
      const first = await commitEvent();
      relay.wake();
      await firstPublishBegun.promise;
      await relay.stop();
      expect(logs.lines.map((line) => line.msg)).toContain('outbox relay stopped with a batch still in flight: its rows are sent again unless it commits');

      const restarting = startOf.run('second', () => relay.start());
      firstPublishHeld.resolve();
      // The first run's batch is recorded (logged in the same turn as the run decides what comes next).
      await waitFor(() => logs.lines.some((line) => line.msg === 'outbox batch published'), { timeoutMs: 5_000 });
      expect(await publishedAt(first)).not.toBeNull();

      // Had the first run gone on, it would be idle now and this wake-up would be its, with a row to claim.
      const second = await commitEvent();
      relay.wake();
      secondListenHeld.resolve();
      await restarting;
      await waitFor(async () => (await publishedAt(second)) !== null, { timeoutMs: 5_000 });
      expect(published).toEqual([
        { start: 'first', id: first },
        { start: 'second', id: second },
      ]);
    } finally {
      firstPublishHeld.resolve();
      secondListenHeld.resolve();
    }
  });

  it("leaves the next run its own wake-ups: a commit notified while that run's first batch waits for its ack is claimed at once", async () => {
    const logs = captureLogs('messaging-test', 'debug');
    const sent: string[] = [];
    type Gate = ReturnType<typeof deferred<void>>;
    const held = new Map<string, Gate>();
    const begun = new Map<string, Gate>();
    const hold = (id: string) => {
      held.set(id, deferred());
      begun.set(id, deferred());
    };
    const js: Pick<JetStreamClient, 'publish'> = {
      async publish(subject, payload, opts) {
        const id = opts?.msgID ?? '';
        sent.push(id);
        begun.get(id)?.resolve();
        await held.get(id)?.promise;
        return fx.m.js.publish(subject, payload, opts);
      },
    };
    const relay = createOutboxRelay({ db: fx.tdb.db, js, logger: logs.logger, namespace: fx.m.namespace, publishTimeoutMs: 5_000, pollIntervalMs: 60_000, stopTimeoutMs: 50 });
    fx.running.push(relay);
    const commitHeld = async () => {
      const id = await commitEvent();
      hold(id);
      return id;
    };
    try {
      await relay.start();
      // The first run's batch waits for its ack past stop()'s bound: that run is left behind.
      const first = await commitHeld();
      relay.wake();
      await begun.get(first)?.promise;
      await relay.stop();
      // Committed before the next start, whose first claim takes it (the first row is still
      // locked: skipped); that batch waits for its ack too. The wake-up stop() sent the run left
      // behind is not this run's: owed to it, the run claimed ahead for nothing, then held the next
      // commit's claim behind this batch's ack.
      const second = await commitHeld();
      await relay.start();
      await begun.get(second)?.promise;
      // The run left behind ends: its batch is recorded.
      held.get(first)?.resolve();
      await waitFor(async () => (await publishedAt(first)) !== null, { timeoutMs: 5_000 });
      // A commit now: the second run claims it at once, while its own batch still waits.
      const third = await commitEvent();
      relay.wake();
      await waitFor(async () => (await publishedAt(third)) !== null, { timeoutMs: 5_000 });
      expect(await publishedAt(second)).toBeNull();
      expect(sent).toEqual([first, second, third]);
      held.get(second)?.resolve();
      await waitFor(async () => (await publishedAt(second)) !== null, { timeoutMs: 5_000 });
    } finally {
      for (const d of held.values()) d.resolve();
    }
  });
});
