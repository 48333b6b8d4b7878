// The write path: `PATCH /api/v1/users/me` through the gateway at a fixed rate (BENCH_WRITE_RATE,
// default 200/s), 60 users round-robin, every write a new name (so each emits
// users.user.updated.v1, consumed by billing, notifications and analytics). Per round:
//   1. warm-up at the same rate, then wait until every consumer has caught up;
//   2. open the CPU window, run the measured load, wait until every event of the window has
//      taken effect everywhere (the consumers' share of the work belongs to the write), close it;
//   3. CPU per write of every process (Postgres: the backends of each service's database, from
//      pg_stat_activity; the server's shared background processes apart; the shared nats-server
//      on a line of its own, since other clients of it count there too), request latency,
//      and commit → published / → each consumer's committed effect from the databases' timestamps.
// Whether the consumers kept up: the events committed but not yet in every effect when the load
// ended (the backlog) and how long after it the last one took effect (the drain). Ask for
// `BENCH_WRITE_RATE=600` to test the goal; the achieved rate is the completed writes over the
// run's wall time (last response included), never the asked one.
// Before the rounds, every process's idle CPU (platform up, no load, BENCH_IDLE_SEC, default
// 10 s; 0 leaves it out) is measured once: at a rate R it explains idle/R ms of each CPU per
// write, reported beside those figures (which keep it, as before) with the CPU net of it.
import { createLogger } from '@platform/logging';
import { connectNats, resolveStream } from '@platform/messaging';
import { gatewayClient, signUp } from '../../apps/e2e/src/gateway-client.js';
import { serverGroup, startCpuWindow } from './lib/cpu-meter.js';
import { natsServerGroup } from './lib/nats-server.js';
import { outboxEvents, streamTimes, waitForEffects } from './lib/event-trace.js';
import { failureSummary, startLoad } from './lib/load.js';
import { isPostgres, pipeline } from './lib/pipeline.js';
import { startBenchPlatform } from './lib/servers.js';
import { envNumber, latencySummary, median, round } from './lib/stats.js';
import { describeTableStats, readTableStats } from './lib/table-stats.js';
import { idleFigures, idleShare, measureIdle, type IdleCpu } from './lib/idle-cpu.js';
import type { BenchFigure, BenchScenario } from './types.js';

const SCENARIO = 'write-path';
const USERS = 60;
const SUBJECT = 'users.user.updated.v1';
const NATS_SERVER = 'nats-server (shared)';
/** The users database's tables every write touches: their counters are logged per round. */
const WRITTEN_TABLES = ['users', 'outbox'];

/**
 * Signs up one writer; a 503 (the shared Postgres out of connections while other runs hold
 * them: it says Retry-After) is retried a few times, since this is set-up, not the measurement.
 */
async function setUpWriter(client: ReturnType<typeof gatewayClient>): ReturnType<typeof signUp> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await signUp(client, 'writer');
    } catch (error) {
      if (attempt >= 5 || !/got 503/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

export const writePath: BenchScenario = {
  name: SCENARIO,
  description: 'PATCH /api/v1/users/me through the gateway at a fixed rate, 60 users: CPU per write per process, commit → effect',
  async run({ durationSec, rounds, log }) {
    const rate = envNumber('BENCH_WRITE_RATE', 200);
    const connections = envNumber('BENCH_WRITE_CONNECTIONS', 64);
    const drainTimeoutMs = envNumber('BENCH_DRAIN_TIMEOUT', 300) * 1000;
    // Consumers keep up when the asked rate was achieved and the last event of the load took
    // effect everywhere this soon after the load ended.
    const keptUpSec = envNumber('BENCH_KEPT_UP_SEC', 2);
    log('starting the platform (5 processes)');
    const platform = await startBenchPlatform({ label: SCENARIO });
    const nats = await connectNats({ servers: 'nats://127.0.0.1:4222', name: 'bench-write-path', logger: createLogger({ service: 'bench', level: 'silent' }) });
    const pipe = pipeline(platform, [natsServerGroup(NATS_SERVER)]);
    try {
      log(`signing up ${USERS} users`);
      const client = gatewayClient(platform.gatewayUrl);
      const tokens: string[] = [];
      for (let i = 0; i < USERS; i += 6) {
        const batch = await Promise.all(Array.from({ length: Math.min(6, USERS - i) }, () => setUpWriter(client)));
        tokens.push(...batch.map((b) => b.tokens.accessToken));
      }
      // A new name on every write (round and sequence number), so every write emits its event.
      const requests = (round_: number) =>
        tokens.map((token, i) => ({
          method: 'PATCH',
          path: '/api/v1/users/me',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: `{"fullName":"Bench writer ${i} r${round_} #{n}"}`,
        }));
      const idle = await measureIdle(pipe.groups, log);
      const stream = resolveStream('users', platform.namespace).name;
      const subject = `${platform.namespace}.${SUBJECT}`;

      const perRound: Array<Record<string, number>> = [];
      for (let r = 1; r <= rounds; r++) {
        const load = await startLoad({ url: platform.gatewayUrl, requests: requests(r), connections, durationSec, warmupSec: envNumber('BENCH_WARMUP', 2), rate });
        const caughtUp = await waitForEffects(pipe.usersSql, SUBJECT, pipe.effects, drainTimeoutMs);
        if (Object.values(caughtUp).some((n) => n > 0)) throw new Error(`consumers did not catch up before round ${r}: ${JSON.stringify(caughtUp)}`);
        const tablesBefore = await readTableStats(pipe.usersSql, WRITTEN_TABLES);
        const from = new Date();
        const window = await startCpuWindow([...pipe.groups, serverGroup('load generator', load.pid)]);
        const result = await load.measure();
        const to = new Date();
        // One look, no waiting: what the consumers still owed when the load ended.
        const backlog = Object.values(await waitForEffects(pipe.usersSql, SUBJECT, pipe.effects, 0)).reduce((a, b) => Math.max(a, b), 0);
        const left = await waitForEffects(pipe.usersSql, SUBJECT, pipe.effects, drainTimeoutMs);
        const drainSec = (Date.now() - to.getTime()) / 1000;
        const cpu = await window.stop();
        const tablesAfter = await readTableStats(pipe.usersSql, WRITTEN_TABLES);
        if (result.non2xx + result.errors + result.timeouts > 0) {
          throw new Error(`round ${r}: ${failureSummary(result)}`);
        }

        const events = await outboxEvents(pipe.usersSql, SUBJECT, from, to);
        const ids = events.map((e) => e.id);
        const published = await streamTimes(nats, stream, subject, new Date(from.getTime() - 1000));
        const lag = (times: Map<string, number>) => latencySummary(events.filter((e) => times.has(e.id)).map((e) => times.get(e.id)! - e.createdAt));
        const effectTimes = await Promise.all(pipe.effects.map(async (e) => [e.name, await e.times(ids)] as const));
        const toPublished = lag(new Map([...published].map(([id, p]) => [id, p.at])));
        const toClaimed = latencySummary(events.filter((e) => e.publishedAt !== null).map((e) => e.publishedAt! - e.createdAt));
        const writes = result.ok;
        const row: Record<string, number> = {
          writes,
          events: events.length,
          'asked writes/s': rate,
          'achieved writes/s': result.requestsPerSec,
          'request p50 ms': result.latency.p50,
          'request p99 ms': result.latency.p99,
          'commit → published p50 ms': toPublished.p50,
          'commit → published p99 ms': toPublished.p99,
          'commit → relay claim p50 ms': toClaimed.p50,
          // published_at is the relay transaction's now(): one value per claimed batch.
          'events per relay batch': events.length / new Set(events.map((e) => e.publishedAt)).size,
          'drain after load s': drainSec,
          'backlog when the load ended': backlog,
          'events not taken effect': Object.values(left).reduce((a, b) => a + b, 0),
        };
        for (const [name, times] of effectTimes) {
          const s = lag(times);
          row[`commit → ${name} p50 ms`] = s.p50;
          row[`commit → ${name} p99 ms`] = s.p99;
        }
        for (const g of cpu) row[`cpu ${g.name}`] = g.cpuMicros / writes / 1000;
        row['cpu all processes'] = cpu.filter((g) => g.name !== 'load generator' && !g.name.includes('shared')).reduce((sum, g) => sum + g.cpuMicros, 0) / writes / 1000;
        row['cpu all processes and nats-server'] = row['cpu all processes']! + cpu.find((g) => g.name === NATS_SERVER)!.cpuMicros / writes / 1000;
        row['cpu postgres, all backends'] = cpu.filter((g) => isPostgres(g.name) && !g.name.includes('shared')).reduce((sum, g) => sum + g.cpuMicros, 0) / writes / 1000;
        if (idle) {
          const idleOf = (names: (name: string) => boolean) => [...idle].filter(([name]) => names(name)).reduce((sum, [, ms]) => sum + ms, 0);
          row['idle share all processes'] = idleShare(idleOf((name) => !name.includes('shared')), result.requestsPerSec);
          row['idle share nats-server'] = idleShare(idleOf((name) => name === NATS_SERVER), result.requestsPerSec);
          row['net of idle all processes'] = row['cpu all processes']! - row['idle share all processes']!;
          row['net of idle all processes and nats-server'] = row['cpu all processes and nats-server']! - row['idle share all processes']! - row['idle share nats-server']!;
        }
        row['kept up'] = Number(result.requestsPerSec >= 0.97 * rate && drainSec <= keptUpSec && row['events not taken effect'] === 0);
        perRound.push(row);
        log(
          `round ${r}: ${writes} writes at ${round(result.requestsPerSec)}/s of ${rate}/s asked, p50 ${result.latency.p50} / p99 ${result.latency.p99} ms; ` +
            `CPU/write ${round(row['cpu all processes']!, 2)} ms, ${round(row['cpu all processes and nats-server']!, 2)} with nats-server ` +
            `(${cpu.map((g) => `${g.name} ${round(g.cpuMicros / writes / 1000, 3)}`).join(', ')}); ` +
            `commit → published p50 ${toPublished.p50} / p99 ${toPublished.p99} ms (${round(row['events per relay batch']!, 1)} events per relay batch), → billing p50 ${row['commit → billing p50 ms']} / p99 ${row['commit → billing p99 ms']} ms; ` +
            `backlog ${backlog} when the load ended, drained ${round(drainSec, 1)} s after: consumers ${row['kept up'] ? 'kept up' : 'did NOT keep up'}`,
        );
        log(`round ${r}, users database: ${describeTableStats(tablesBefore, tablesAfter, writes)}`);
        if (idle) {
          log(
            `round ${r}: the idle CPU explains ${round(row['idle share all processes']!, 3)} of the ${round(row['cpu all processes']!, 2)} ms per write at ${round(result.requestsPerSec)}/s ` +
              `(net of idle ${round(row['net of idle all processes']!, 2)} ms, ${round(row['net of idle all processes and nats-server']!, 2)} with nats-server)`,
          );
        }
      }
      return writeFigures(perRound, rate, connections, idle);
    } finally {
      await pipe.close();
      await nats.close();
      await platform.stop();
    }
  },
};

function writeFigures(rounds: Array<Record<string, number>>, rate: number, connections: number, idle: IdleCpu | undefined): BenchFigure[] {
  const med = (key: string) => median(rounds.map((r) => r[key]!));
  const each = (key: string, digits: number) => rounds.map((r) => round(r[key]!, digits)).join(' / ');
  const label = `PATCH /users/me via gateway at ${rate}/s`;
  const figures: BenchFigure[] = [];
  const cpuKeys = Object.keys(rounds[0]!).filter((k) => k.startsWith('cpu '));
  for (const key of cpuKeys) {
    const process_ = key.slice(4);
    figures.push({ scenario: SCENARIO, name: `${label}: CPU per write, ${process_}`, metric: 'ms', value: round(med(key), 3), detail: { rounds: each(key, 3) } });
  }
  if (idle) {
    figures.push(...idleFigures(SCENARIO, label, idle, med('achieved writes/s')));
    figures.push({
      scenario: SCENARIO,
      name: `${label}: CPU per write net of idle, all processes`,
      metric: 'ms',
      value: round(med('net of idle all processes'), 3),
      detail: { 'with nats-server': round(med('net of idle all processes and nats-server'), 3), 'idle share': round(med('idle share all processes'), 3), rounds: each('net of idle all processes', 3) },
    });
  }
  figures.push(
    { scenario: SCENARIO, name: `${label}: achieved rate`, metric: 'writes/s', value: round(med('achieved writes/s')), detail: { connections, writes: each('writes', 0), 'events in window': each('events', 0) } },
    { scenario: SCENARIO, name: `${label}: request latency p99`, metric: 'ms', value: med('request p99 ms'), detail: { p50: med('request p50 ms'), rounds: each('request p99 ms', 1) } },
    {
      scenario: SCENARIO,
      name: `${label}: commit → published p99`,
      metric: 'ms',
      value: med('commit → published p99 ms'),
      detail: { p50: med('commit → published p50 ms'), 'relay claim p50': med('commit → relay claim p50 ms'), 'events per relay batch': each('events per relay batch', 1) },
    },
  );
  for (const name of ['billing', 'notifications', 'analytics']) {
    figures.push({
      scenario: SCENARIO,
      name: `${label}: commit → ${name} effect committed p99`,
      metric: 'ms',
      value: med(`commit → ${name} p99 ms`),
      detail: { p50: med(`commit → ${name} p50 ms`), rounds: each(`commit → ${name} p99 ms`, 1) },
    });
  }
  figures.push({
    scenario: SCENARIO,
    name: `${label}: drain after the load`,
    metric: 's',
    value: round(med('drain after load s'), 1),
    detail: { 'backlog when the load ended': each('backlog when the load ended', 0), 'events not taken effect': each('events not taken effect', 0), 'consumers kept up (rounds)': `${rounds.filter((r) => r['kept up']).length} of ${rounds.length}` },
  });
  return figures;
}
