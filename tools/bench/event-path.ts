// The event path, without HTTP in the way:
//   event-path   a bench producer commits users.user.updated.v1 changes through the users
//                service's own code (PATCH /users/me's one-statement write with the publisher's
//                validated outbox row, one transaction per change) across many users, at BENCH_EVENT_RATE
//                (default 1,000/s) for BENCH_EVENT_SECONDS (default 30), while the whole platform
//                runs; reported: commit → published and commit → each consumer's committed effect
//                (billing's projection first), from the databases' timestamps, each split in its two
//                legs (commit → relay claim / stored message, stored message → effect), CPU per
//                event per process (the shared nats-server included), and a check that nothing was
//                lost or duplicated.
//   relay-drain  a backlog of BENCH_BACKLOG (default 100,000) events written into the users
//                outbox while the service is stopped, then drained by its relay on start.
import { randomUUID } from 'node:crypto';
import { createDb } from '@platform/db-kit';
import { createLogger } from '@platform/logging';
import { connectNats, outboxWaker, resolveStream, wakeAfterCommit, type NatsHandle } from '@platform/messaging';
import * as usersSchema from '../../apps/users/src/data/schema.js';
import { prepareGuardedOwnUpdate, userRepository } from '../../apps/users/src/data/user-repository.js';
import { userEvents } from '../../apps/users/src/publisher.js';
import type { BenchFigure, BenchScenario } from './types.js';
import { startCpuWindow, type ProcessGroup } from './lib/cpu-meter.js';
import { inboxEffect, outboxEvents, streamTimes, waitForEffects } from './lib/event-trace.js';
import { natsServerGroup } from './lib/nats-server.js';
import { isPostgres, pipeline } from './lib/pipeline.js';
import { benchSql, postgresActivity } from './lib/postgres-activity.js';
import { databaseName, startBenchPlatform, type BenchPlatform } from './lib/servers.js';
import { envNumber, latencySummary, round } from './lib/stats.js';

const UPDATED = 'users.user.updated.v1';
const REGISTERED = 'users.user.registered.v1';

function producerDb(platform: BenchPlatform, max: number) {
  return createDb({ url: platform.databases.users, schema: usersSchema, applicationName: 'bench-producer', max });
}
type ProducerDb = ReturnType<typeof producerDb>['db'];

/** Users created the way the service creates them: the row and its registered event in one transaction. */
async function createEntities(db: ProducerDb, count: number): Promise<usersSchema.UserRow[]> {
  const rows: usersSchema.UserRow[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = await db.transaction(async (tx) => {
      const made: usersSchema.UserRow[] = [];
      for (let j = i; j < Math.min(count, i + 100); j++) {
        const user = await userRepository(tx).insert({ email: `entity-${j}-${randomUUID().slice(0, 8)}@bench.test`, passwordHash: 'not-a-hash (bench entity, never logs in)', fullName: `Entity ${j}` });
        if (!user) throw new Error('entity e-mail taken');
        await userEvents.registered(tx, user, `bench-setup-${j}`);
        made.push(user);
      }
      return made;
    });
    rows.push(...batch);
  }
  return rows;
}

/** Starts `task(i)` at t0 + i / rate (open loop); resolves when every task has settled. */
async function atRate(
  rate: number,
  seconds: number,
  task: (i: number) => Promise<void>,
): Promise<{ started: number; seconds: number; failed: number; reasons: Record<string, number> }> {
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  const running: Promise<void>[] = [];
  let failed = 0;
  const reasons = new Map<string, number>();
  const fail = (err: unknown) => {
    failed += 1;
    const reason = err instanceof Error ? err.message : String(err);
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  };
  for (let i = 0; i < total; ) {
    while (i < total && t0 + (i * 1000) / rate <= performance.now()) {
      running.push(task(i).catch(fail));
      i += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + (i * 1000) / rate - performance.now())));
  }
  await Promise.all(running);
  return { started: total, seconds: (performance.now() - t0) / 1000, failed, reasons: Object.fromEntries(reasons) };
}

async function benchNats(name: string): Promise<NatsHandle> {
  return connectNats({ servers: 'nats://127.0.0.1:4222', name, logger: createLogger({ service: 'bench', level: 'silent' }) });
}

export const eventPath: BenchScenario = {
  name: 'event-path',
  description: 'a bench producer commits through the users outbox at 1,000 events/s for 30 s: commit → billing projection, nothing lost',
  async run({ log }) {
    const rate = envNumber('BENCH_EVENT_RATE', 1000);
    const seconds = envNumber('BENCH_EVENT_SECONDS', 30);
    const entities = envNumber('BENCH_EVENT_ENTITIES', 1000);
    const drainTimeoutMs = envNumber('BENCH_DRAIN_TIMEOUT', 600) * 1000;
    log('starting the platform (5 processes)');
    // Welcome e-mails of the setup users go out in a few big rounds instead of 10 a second.
    const platform = await startBenchPlatform({ label: 'event-path', env: { MAIL_BATCH_SIZE: '500', MAIL_POLL_INTERVAL_MS: '100' } });
    const nats = await benchNats('bench-event-path');
    const pg = postgresActivity();
    const bench: ProcessGroup = { name: 'bench producer (this process)', pids: () => [process.pid] };
    const pipe = pipeline(platform, [pg.database('postgres (users db, bench producer)', databaseName(platform.databases.users), 'bench-producer'), bench, natsServerGroup()]);
    // BENCH_PRODUCER_POOL: the producer's connections (a shared server has ~100 in all).
    const producer = producerDb(platform, envNumber('BENCH_PRODUCER_POOL', 20));
    // This process has no relay: it wakes the service's the way any other writer of the outbox
    // does, with a NOTIFY after the commit, coalesced (a dearer wake-up than the service's own, so
    // the figures err on the slow side). The setup's registrations too (wakeAfterCommit).
    const waker = outboxWaker(producer.sql);
    wakeAfterCommit(producer.db, waker.wake);
    const notificationsSql = benchSql(platform.databases.notifications);
    const billingSql = benchSql(platform.databases.billing);
    try {
      await billingSql`select 1`; // its connection now, not after the run
      log(`creating ${entities} users through the users outbox`);
      const users = await createEntities(producer.db, entities);
      const welcome = inboxEffect('welcome message', notificationsSql, 'notifications-send-welcome-message');
      const setup = await waitForEffects(pipe.usersSql, REGISTERED, [...pipe.effects, welcome], drainTimeoutMs);
      if (Object.values(setup).some((n) => n > 0)) throw new Error(`setup events not consumed: ${JSON.stringify(setup)}`);
      for (let waited = 0; waited < drainTimeoutMs; waited += 200) {
        const [{ n }] = await notificationsSql<[{ n: number }]>`select count(*)::int as n from deliveries where status = 'pending'`;
        if (n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }

      log(`producing ${rate} events/s for ${seconds} s across ${entities} users`);
      const commitMs: number[] = [];
      // The users service's own write of a name change (PATCH /users/me): the row and its validated
      // users.user.updated.v1 outbox row in one statement, one transaction (round 3's drizzle
      // transaction, four round trips, cost the producer ~530 µs of CPU a commit on the cores the
      // platform needs). The service wakes its own relay after the commit; this process, `waker`.
      const updateOwn = prepareGuardedOwnUpdate(producer.sql, waker.wake);
      // One change of a user at a time (the next waits for the last to commit): the event is built
      // before its statement, so two in flight for one user could commit in the other order than
      // their occurredAt, and billing's projection (newest occurredAt wins) would end on the other name.
      const lastOf = new Map<string, Promise<unknown>>();
      // When the producer saw each commit (wall clock, as the databases' timestamps): outbox.created_at
      // is its transaction's start, so commit → published includes the producer's own commit.
      const committedAt = new Map<string, number>();
      const from = new Date();
      const window = await startCpuWindow(pipe.groups);
      const produced = await atRate(rate, seconds, async (i) => {
        const user = users[i % users.length]!;
        const fullName = `Entity ${i % users.length} #${i}`;
        const t = performance.now();
        const event = userEvents.updatedRow({ ...user, fullName }, `bench-event-${i}`);
        const change = (lastOf.get(user.id) ?? Promise.resolve())
          .catch(() => undefined)
          .then(() => updateOwn({ id: user.id, expected: user, changes: { fullName }, updatedAt: new Date(), event }));
        lastOf.set(user.id, change);
        const done = await change;
        committedAt.set(event.id, performance.timeOrigin + performance.now());
        if (done?.events !== 1) throw new Error('the change wrote no event');
        commitMs.push(performance.now() - t);
      });
      await waker.settled();
      const to = new Date();
      log(`committed ${produced.started - produced.failed} in ${round(produced.seconds, 1)} s; waiting for every effect`);
      if (produced.failed > 0) log(`producer transactions failed: ${JSON.stringify(produced.reasons)}`);
      const left = await waitForEffects(pipe.usersSql, UPDATED, pipe.effects, drainTimeoutMs);
      const drainSec = (Date.now() - to.getTime()) / 1000;
      const drained = Object.values(left).every((n) => n === 0);
      const cpu = await window.stop();

      const events = await outboxEvents(pipe.usersSql, UPDATED, from, new Date(to.getTime() + 1));
      const ids = events.map((e) => e.id);
      const inStream = await streamTimes(nats, resolveStream('users', platform.namespace).name, `${platform.namespace}.${UPDATED}`, new Date(from.getTime() - 1000));
      const lag = (times: Map<string, number>) => latencySummary(events.filter((e) => times.has(e.id)).map((e) => times.get(e.id)! - e.createdAt));
      const effects = await Promise.all(pipe.effects.map(async (e) => [e.name, await e.times(ids)] as const));
      const published = lag(new Map([...inStream].map(([id, s]) => [id, s.at])));
      // The two legs apart: commit → the relay's claim (outbox.published_at is the claiming
      // transaction's now()), and the stored message → each consumer's effect (the consumer's side).
      const claimed = latencySummary(events.filter((e) => e.publishedAt !== null).map((e) => e.publishedAt! - e.createdAt));
      const ownCommit = latencySummary(events.filter((e) => committedAt.has(e.id)).map((e) => committedAt.get(e.id)! - e.createdAt));
      const fromStream = (times: Map<string, number>) =>
        latencySummary(ids.filter((id) => times.has(id) && inStream.has(id)).map((id) => times.get(id)! - inStream.get(id)!.at));
      const legs = (times: Map<string, number>) => {
        const leg = fromStream(times);
        return { 'published → effect p50': leg.p50, 'published → effect p99': leg.p99 };
      };
      // Lost or duplicated: every committed event once in the stream and once in every consumer,
      // and billing's projection ending with every user's last name.
      const committed = produced.started - produced.failed;
      const missingInStream = ids.filter((id) => !inStream.has(id)).length;
      const duplicatedInStream = [...inStream.values()].filter((s) => s.copies > 1).length;
      const missingEffects = Object.fromEntries(effects.map(([name, times]) => [name, ids.filter((id) => !times.has(id)).length]));
      const finalNames = new Map((await pipe.usersSql<Array<{ id: string; full_name: string }>>`select id, full_name from users`).map((r) => [r.id, r.full_name]));
      const projected = await billingSql<Array<{ user_id: string; full_name: string | null }>>`select user_id, full_name from billing_users`;
      const wrongProjection = users.filter((u) => projected.find((p) => p.user_id === u.id)?.full_name !== finalNames.get(u.id)).length;
      log(
        `${committed} committed, ${events.length} in the outbox, stream missing ${missingInStream} / duplicated ${duplicatedInStream}, ` +
          `effects missing ${JSON.stringify(missingEffects)}, billing projection wrong for ${wrongProjection}; drained ${round(drainSec, 1)} s after`,
      );

      const commit = latencySummary(commitMs);
      const label = `${rate} events/s for ${seconds} s`;
      const figures: BenchFigure[] = [
        {
          scenario: 'event-path',
          name: `${label}: commit → billing projection committed p50`,
          metric: 'ms',
          value: lag(effects.find(([n]) => n === 'billing')![1]).p50,
          detail: { p99: lag(effects.find(([n]) => n === 'billing')![1]).p99, ...legs(effects.find(([n]) => n === 'billing')![1]), target: 'p50 ≤ 5, p99 ≤ 50' },
        },
        { scenario: 'event-path', name: `${label}: commit → published p50`, metric: 'ms', value: published.p50, detail: { p99: published.p99, 'relay claim p50': claimed.p50, 'relay claim p99': claimed.p99, 'producer saw its commit p50': ownCommit.p50, 'producer saw its commit p99': ownCommit.p99 } },
        ...effects
          .filter(([name]) => name !== 'billing')
          .map(([name, times]): BenchFigure => ({ scenario: 'event-path', name: `${label}: commit → ${name} effect committed p50`, metric: 'ms', value: lag(times).p50, detail: { p99: lag(times).p99, ...legs(times) } })),
        {
          scenario: 'event-path',
          name: `${label}: achieved commit rate`,
          metric: 'events/s',
          value: round(committed / produced.seconds),
          detail: { committed, 'producer transaction p50 ms': commit.p50, p99: commit.p99, entities, 'drain after s': round(drainSec, 1) },
        },
        {
          scenario: 'event-path',
          name: `${label}: lost or duplicated`,
          metric: 'events',
          // Until every consumer has caught up, a missing effect may only be late: count it as lost only after the drain.
          value: missingInStream + duplicatedInStream + (committed - events.length) + (drained ? Object.values(missingEffects).reduce((a, b) => a + b, 0) + wrongProjection : 0),
          detail: {
            'missing in stream': missingInStream,
            'duplicated in stream': duplicatedInStream,
            ...Object.fromEntries(Object.entries(missingEffects).map(([k, v]) => [`missing in ${k}`, v])),
            'billing rows wrong': wrongProjection,
            checked: drained ? 'stream, every consumer, billing projection' : `stream only: consumers had not caught up after ${drainTimeoutMs / 1000} s`,
          },
        },
        ...cpu.map((g): BenchFigure => ({ scenario: 'event-path', name: `${label}: CPU per event, ${g.name}`, metric: 'µs', value: round(g.cpuMicros / committed) })),
        {
          scenario: 'event-path',
          name: `${label}: CPU per event, postgres, all backends`,
          metric: 'µs',
          value: round(cpu.filter((g) => isPostgres(g.name) && !g.name.includes('shared')).reduce((s, g) => s + g.cpuMicros, 0) / committed),
        },
      ];
      return figures;
    } finally {
      await billingSql.end({ timeout: 5 });
      await notificationsSql.end({ timeout: 5 });
      await producer.close();
      await pipe.close();
      await pg.close();
      await nats.close();
      await platform.stop();
    }
  },
};

export const relayDrain: BenchScenario = {
  name: 'relay-drain',
  description: 'the users outbox relay drains a 100,000-event backlog on start: events/s, nothing lost or duplicated',
  async run({ log }) {
    const backlog = envNumber('BENCH_BACKLOG', 100_000);
    log('starting users alone');
    const platform = await startBenchPlatform({ label: 'relay-drain', apps: ['users'] });
    const nats = await benchNats('bench-relay-drain');
    const pg = postgresActivity();
    const producer = producerDb(platform, 4);
    const sql = benchSql(platform.databases.users);
    try {
      const users = await createEntities(producer.db, 100);
      await platform.app('users').stop();
      log(`writing ${backlog} events into the outbox (users stopped)`);
      const since = new Date();
      const perTx = 500;
      const chunks = Array.from({ length: Math.ceil(backlog / perTx) }, (_, c) => c);
      const writers = Array.from({ length: 4 }, async () => {
        for (let c = chunks.shift(); c !== undefined; c = chunks.shift()) {
          await producer.db.transaction(async (tx) => {
            for (let i = c * perTx; i < Math.min(backlog, (c + 1) * perTx); i++) {
              const user = users[i % users.length]!;
              await userEvents.updated(tx, { ...user, fullName: `Entity #${i}` }, `bench-backlog-${i}`);
            }
          });
        }
      });
      await Promise.all(writers);
      const ids = (await outboxEvents(sql, UPDATED, since, new Date(Date.now() + 60_000))).map((e) => e.id);
      log(`${ids.length} events waiting; starting users`);

      const usersGroups: ProcessGroup[] = [
        { name: 'users (boot included)', pids: () => [platform.app('users').pid] },
        pg.database('postgres (users db)', databaseName(platform.databases.users), 'users'),
        natsServerGroup(),
      ];
      const window = await startCpuWindow(usersGroups);
      const t0 = performance.now();
      const readyMs = await platform.restart('users');
      const deadline = Date.now() + envNumber('BENCH_DRAIN_TIMEOUT', 300) * 1000;
      let waiting = ids.length;
      while (waiting > 0 && Date.now() < deadline) {
        [{ waiting }] = await sql<[{ waiting: number }]>`select count(*)::int as waiting from outbox where published_at is null`;
        if (waiting > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const wallSec = (performance.now() - t0) / 1000;
      const cpu = await window.stop();
      const [span] = await sql<[{ first: Date; last: Date; batches: number }]>`
        select min(published_at) as first, max(published_at) as last, count(distinct published_at)::int as batches from outbox where id = any(${ids}::uuid[])`;
      const claimSec = (span.last.getTime() - span.first.getTime()) / 1000;
      const inStream = await streamTimes(nats, resolveStream('users', platform.namespace).name, `${platform.namespace}.${UPDATED}`, new Date(since.getTime() - 1000));
      const missing = ids.filter((id) => !inStream.has(id)).length;
      const duplicated = [...inStream.values()].filter((s) => s.copies > 1).length;
      // The stream's own clock: from the first to the last backlog message stored.
      const stored = ids.map((id) => inStream.get(id)?.at).filter((t): t is number => t !== undefined);
      const storeSec = (Math.max(...stored) - Math.min(...stored)) / 1000;
      log(`drained ${ids.length} in ${round(wallSec, 1)} s from spawn (ready after ${Math.round(readyMs)} ms); stored over ${round(storeSec, 1)} s; missing ${missing}, duplicated ${duplicated}, unpublished ${waiting}`);
      const per = (g: { cpuMicros: number }) => round(g.cpuMicros / ids.length, 1);
      return [
        {
          scenario: 'relay-drain',
          name: `outbox relay drain of a ${backlog.toLocaleString('en-US')}-event backlog`,
          metric: 'events/s',
          value: round(ids.length / storeSec),
          detail: { 'first → last stored (JetStream) s': round(storeSec, 2), 'first → last batch claim (outbox.published_at) s': round(claimSec, 2), batches: span.batches, 'from spawn, boot included, events/s': round(ids.length / wallSec), target: '≥ 10000 events/s' },
        },
        { scenario: 'relay-drain', name: 'relay drain: lost or duplicated', metric: 'events', value: missing + duplicated + waiting, detail: { missing, duplicated, unpublished: waiting } },
        ...cpu.map((g): BenchFigure => ({ scenario: 'relay-drain', name: `relay drain: CPU per event, ${g.name}`, metric: 'µs', value: per(g) })),
      ];
    } finally {
      await sql.end({ timeout: 5 });
      await producer.close();
      await pg.close();
      await nats.close();
      await platform.stop();
    }
  },
};
