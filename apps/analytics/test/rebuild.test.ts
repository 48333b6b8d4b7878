import { randomUUID } from 'node:crypto';
import { userRegisteredV1, userUpdatedV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { bearer, expectEnvelope } from '@platform/http-kit/testing';
import { waitFor } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownEvents, startHarness, userMergedV1, type Harness } from './helpers.js';

interface Run {
  id: string;
  status: string;
  eventsReplayed: number;
  error: string | null;
}

describe('analytics rebuild', () => {
  let h: Harness;
  let releaseSwap: () => void = () => undefined;
  let swapGate = new Promise<void>((r) => (releaseSwap = r));
  let paused = false;

  /** Every metric the service can answer, plus the raw derived tables. */
  async function everything() {
    const sql = h.env.database.sql;
    const queries = [
      'summary',
      'summary?from=2025-03-02T00:00:00Z&to=2025-03-03T00:00:00Z',
      'summary?from=2025-03-01T10:45:00Z&to=2025-03-01T12:00:00Z',
      ...['signups', 'logins', 'revenue', 'payments'].flatMap((m) => [
        `timeseries?metric=${m}&interval=day&from=2025-02-27&to=2025-03-06`,
        `timeseries?metric=${m}&interval=hour&from=2025-03-01T09:30:00Z&to=2025-03-04T01:00:00Z`,
      ]),
    ];
    const answers = await Promise.all(queries.map(async (q) => [q, (await h.get(`/api/v1/analytics/${q}`)).data]));
    return {
      answers: Object.fromEntries(answers),
      hourly: await sql`select metric, key, bucket, value from metric_hourly order by metric, key, bucket`,
      deltas: await sql`select event_id, metric, key, occurred_at, value from metric_deltas order by event_id, metric, key`,
      users: await sql`select * from user_states order by user_id`,
      invoices: await sql`select * from invoice_states order by invoice_id`,
      events: await sql`select event_id, stream, type, version, known, occurred_at, data from events order by event_id`,
    };
  }

  const indexNames = async () =>
    (await h.env.database.sql`select indexname from pg_indexes where schemaname = 'public' order by indexname`).map((r) => r.indexname as string);

  beforeAll(async () => {
    h = await startHarness({
      rebuildHooks: {
        beforeSwap: async () => {
          paused = true;
          await swapGate;
          paused = false;
        },
      },
    });
    const events = [...knownEvents(), { ...sampleEvent(userUpdatedV1.type), type: userMergedV1.type }];
    for (const event of events) await h.publish(event);
    await h.waitStored(events.length);
  });
  afterAll(async () => {
    releaseSwap();
    await h?.close();
  });

  it('replays every stream into fresh tables, swaps them in and ends equal to incremental processing', async () => {
    const indexesBefore = await indexNames();
    const post = () => h.app.inject({ method: 'POST', url: '/api/v1/analytics/rebuild', headers: bearer(h.adminToken) });

    const started = expectEnvelope<Run>(await post(), { status: 202, code: 'SUCCESS', module: 'analytics' }).data;
    expect(started.status).toBe('running');
    await waitFor(() => paused, { timeoutMs: 15_000 });

    // One rebuild at a time, whoever asks.
    expectEnvelope(await post(), { status: 409, code: 'CONFLICT', module: 'analytics' });
    expect((await h.get<Run>('/api/v1/analytics/rebuild')).data).toMatchObject({ id: started.id, status: 'running' });

    // Meanwhile the live consumers and the queries keep using the old tables.
    const registeredBefore = ((await h.get<{ users: { registered: number } }>('/api/v1/analytics/summary')).data).users.registered;
    const late = { ...sampleEvent(userRegisteredV1.type), occurredAt: '2025-03-04T08:00:00Z' };
    await h.publish(late);
    await waitFor(async () => (await h.get<{ users: { registered: number } }>('/api/v1/analytics/summary')).data.users.registered === registeredBefore + 1);
    const incremental = await everything();

    releaseSwap();
    const finished = await waitFor(async () => {
      const run = (await h.get<Run>('/api/v1/analytics/rebuild')).data;
      return run.status === 'running' ? null : run;
    }, { timeoutMs: 20_000 });
    expect(finished).toMatchObject({ id: started.id, status: 'succeeded', error: null, eventsReplayed: 22 });

    expect(await everything()).toEqual(incremental);
    expect(await indexNames()).toEqual(indexesBefore);
    const schemas = await h.env.database.sql`select nspname from pg_namespace where nspname like 'analytics_%'`;
    expect(schemas).toHaveLength(0);

    // The live consumers go on writing into the swapped-in tables.
    await h.publish(sampleEvent(userRegisteredV1.type));
    await waitFor(async () => (await h.get<{ users: { registered: number } }>('/api/v1/analytics/summary')).data.users.registered === registeredBefore + 2);

    // A second rebuild after the first has finished is fine, and still changes nothing.
    swapGate = Promise.resolve();
    const before = await everything();
    expectEnvelope(await post(), { status: 202, code: 'SUCCESS' });
    await waitFor(async () => (await h.get<Run>('/api/v1/analytics/rebuild')).data.status === 'succeeded' || null, { timeoutMs: 20_000 });
    expect(await everything()).toEqual(before);
  });

  it('answers the status of the latest rebuild to admins only', async () => {
    const token = await h.env.token({ sub: randomUUID(), role: 'user' });
    expectEnvelope(await h.app.inject({ method: 'GET', url: '/api/v1/analytics/rebuild', headers: bearer(token) }), { status: 403, code: 'FORBIDDEN' });
  });
});
