// app.close() during boot: a relay stop() that comes while start() is still awaiting LISTEN.
import { captureLogs } from '@platform/logging/testing';
import type { Sql } from 'postgres';
import { deferred } from '@platform/resilience/testing';
import { describe, expect, it } from 'vitest';
import { createOutboxRelay } from '../src/index.js';
import { waitFor } from '../src/testing/index.js';
import { useConsumerFixture } from './consumer-fixture.js';

const fx = useConsumerFixture('relay_start_stop');

/** Sessions of this database whose last statement was a LISTEN: a live subscription's connection. */
const listening = async () =>
  Number((await fx.tdb.sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen %'`)[0]!.n);

describe('outbox relay start/stop', () => {
  it('a stop() while start() awaits LISTEN keeps it stopped and lets go of the subscription', async () => {
    const logs = captureLogs('messaging-test', 'info');
    const listenBegun = deferred();
    const listenHeld = deferred();
    // The real LISTEN on the real server, held back until the stop() has run.
    const sql = new Proxy(fx.tdb.sql, {
      get(target, key, receiver) {
        if (key !== 'listen') return Reflect.get(target, key, receiver);
        return async (...args: Parameters<Sql['listen']>) => {
          listenBegun.resolve();
          await listenHeld.promise;
          return target.listen(...args);
        };
      },
    });
    const relay = createOutboxRelay({ db: fx.tdb.db, sql, js: fx.m.js, logger: logs.logger, namespace: fx.m.namespace, publishTimeoutMs: 1_000, pollIntervalMs: 60_000 });
    fx.running.push(relay);

    const starting = relay.start();
    await listenBegun.promise;
    await relay.stop();
    listenHeld.resolve();
    await starting;

    expect(logs.lines.map((line) => line.msg)).toEqual(['outbox relay stopped']);
    // The subscription LISTEN made after the stop is given back at once (its connection runs UNLISTEN).
    await waitFor(async () => (await listening()) === 0, { timeoutMs: 5_000 });
  });
});
