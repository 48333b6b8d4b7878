import { randomUUID } from 'node:crypto';
import { userLoggedInV1 } from '@platform/contracts';
import { bearer, expectEnvelope } from '@platform/http-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownEvents, startHarness, type Harness } from './helpers.js';

describe('analytics metrics over a known history', () => {
  let h: Harness;
  const url = (path: string) => `/api/v1/analytics/${path}`;
  const series = async (query: string) => (await h.get<Array<{ bucket: string; value: number }>>(url(`timeseries?${query}`))).data;
  const summary = async (query = '') => (await h.get<unknown>(url(`summary${query}`))).data;

  beforeAll(async () => {
    h = await startHarness();
    const events = knownEvents();
    for (const event of events) await h.publish(event);
    await h.waitStored(events.length);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('summarises all time', async () => {
    expect(await summary()).toEqual({
      users: { total: 4, active: 2, registered: 4 },
      billing: { invoicesIssued: 3, revenueMinor: { EUR: 11_000, USD: 2_000 }, outstandingMinor: { EUR: 0, USD: 5_000 } },
      notifications: { sent: 2, failed: 1 },
      events: { stored: 20, unknown: 0 },
    });
  });

  it('counts flows inside [from, to) and balances as of to', async () => {
    expect(await summary('?from=2025-03-02T00:00:00Z&to=2025-03-03T00:00:00Z')).toEqual({
      users: { total: 3, active: 2, registered: 1 },
      billing: { invoicesIssued: 2, revenueMinor: { EUR: 7_000 }, outstandingMinor: { EUR: 4_000, USD: 7_000 } },
      notifications: { sent: 1, failed: 1 },
      events: { stored: 10, unknown: 0 },
    });
    // Same range as dates: midnight UTC.
    expect(await summary('?from=2025-03-02&to=2025-03-03')).toEqual(await summary('?from=2025-03-02T00:00:00Z&to=2025-03-03T00:00:00Z'));
  });

  it('is exact inside partial hours: from inclusive, to exclusive', async () => {
    expect(await summary('?from=2025-03-01T10:45:00Z&to=2025-03-01T12:00:00Z')).toEqual({
      users: { total: 2, active: 2, registered: 1 },
      billing: { invoicesIssued: 1, revenueMinor: {}, outstandingMinor: { EUR: 10_000 } },
      notifications: { sent: 0, failed: 0 },
      events: { stored: 2, unknown: 0 },
    });
    expect(await summary('?to=2025-03-01T12:00:00.001Z')).toMatchObject({ billing: { revenueMinor: { EUR: 4_000 }, outstandingMinor: { EUR: 6_000 } } });
    expect(await summary('?from=2025-03-03T23:59:59Z')).toMatchObject({ users: { total: 4, active: 2, registered: 1 } });
  });

  it('gives day and hour series with empty buckets as 0', async () => {
    expect(await series('metric=signups&interval=day&from=2025-02-28T00:00:00Z&to=2025-03-05T00:00:00Z')).toEqual([
      { bucket: '2025-02-28T00:00:00.000Z', value: 0 },
      { bucket: '2025-03-01T00:00:00.000Z', value: 2 },
      { bucket: '2025-03-02T00:00:00.000Z', value: 1 },
      { bucket: '2025-03-03T00:00:00.000Z', value: 1 },
      { bucket: '2025-03-04T00:00:00.000Z', value: 0 },
    ]);
    expect(await series('metric=logins&interval=hour&from=2025-03-01T23:30:00Z&to=2025-03-02T02:00:00Z')).toEqual([
      { bucket: '2025-03-01T23:00:00.000Z', value: 0 },
      { bucket: '2025-03-02T00:00:00.000Z', value: 1 },
      { bucket: '2025-03-02T01:00:00.000Z', value: 0 },
    ]);
    expect(await series('metric=logins&interval=hour&from=2025-03-01T10:20:00Z&to=2025-03-01T10:20:00.001Z')).toEqual([
      { bucket: '2025-03-01T10:00:00.000Z', value: 1 },
    ]);
    expect(await series('metric=logins&interval=hour&from=2025-03-01T10:20:00.001Z&to=2025-03-01T11:00:00Z')).toEqual([
      { bucket: '2025-03-01T10:00:00.000Z', value: 0 },
    ]);
  });

  it('sums revenue and counts payments per day, optionally in one currency', async () => {
    expect(await series('metric=revenue&interval=day&from=2025-03-01T11:30:00Z&to=2025-03-04T00:00:00Z')).toEqual([
      { bucket: '2025-03-01T00:00:00.000Z', value: 4_000 },
      { bucket: '2025-03-02T00:00:00.000Z', value: 7_000 },
      { bucket: '2025-03-03T00:00:00.000Z', value: 2_000 },
    ]);
    expect((await series('metric=revenue&interval=day&currency=EUR&from=2025-03-01&to=2025-03-04')).map((p) => p.value)).toEqual([4_000, 7_000, 0]);
    expect((await series('metric=payments&interval=day&from=2025-03-01&to=2025-03-04')).map((p) => p.value)).toEqual([1, 2, 1]);
    expect((await series('metric=payments&interval=day&currency=USD&from=2025-03-01&to=2025-03-04')).map((p) => p.value)).toEqual([0, 0, 1]);
  });

  it('pages the stored events newest first, filtered by type and range', async () => {
    const { data, meta } = await h.get<Array<{ type: string; occurredAt: string }>>(
      url(`events?type=${userLoggedInV1.type}&from=2025-03-02T00:00:00Z&to=2025-03-03T00:00:00Z&pageSize=1&page=2`),
    );
    expect(meta).toEqual({ page: 2, pageSize: 1, total: 2, totalPages: 2 });
    expect(data.map((e) => e.occurredAt)).toEqual(['2025-03-02T00:00:00.000Z']);
  });

  describe('refuses bad parameters with 400 and checks the caller', () => {
    const bad = [
      'timeseries?metric=bogus&interval=day&from=2025-03-01&to=2025-03-02',
      'timeseries?interval=day&from=2025-03-01&to=2025-03-02',
      'timeseries?metric=signups&interval=week&from=2025-03-01&to=2025-03-02',
      'timeseries?metric=signups&interval=day&from=yesterday&to=2025-03-02',
      'timeseries?metric=signups&interval=day&from=2025-03-01T10:00:00&to=2025-03-02',
      'timeseries?metric=signups&interval=day&from=2025-03-03&to=2025-03-02',
      'timeseries?metric=signups&interval=day&from=2025-03-02&to=2025-03-02',
      'timeseries?metric=signups&interval=hour&from=2025-01-01T00:00:00Z&to=2026-02-21T16:00:00.001Z',
      'timeseries?metric=revenue&interval=day&currency=eur&from=2025-03-01&to=2025-03-02',
      'timeseries?metric=signups&interval=day&from=2025-03-01&to=2025-03-02&extra=1',
      'summary?from=2025-03-03&to=2025-03-02',
      'summary?from=2025-13-01',
      'events?page=0',
      'events?pageSize=101',
      'events?known=maybe',
      'events?from=2025-03-03&to=2025-03-01',
      // A NUL would reach Postgres (which refuses it in text) and come back as a 500.
      'events?type=users.user%00registered.v1',
    ];
    it.each(bad)('GET %s → 400', async (path) => {
      const res = await h.app.inject({ method: 'GET', url: url(path), headers: bearer(h.adminToken) });
      expectEnvelope(res, { status: 400, code: 'VALIDATION_ERROR', module: 'analytics' });
    });

    it('accepts exactly 10,000 buckets', async () => {
      const points = await series('metric=signups&interval=hour&from=2025-01-01T00:00:00Z&to=2026-02-21T16:00:00Z');
      expect(points).toHaveLength(10_000);
      expect(points.reduce((a, p) => a + p.value, 0)).toBe(4);
    });

    const routes = [
      ['GET', 'summary'],
      ['GET', 'timeseries?metric=signups&interval=day'],
      ['GET', 'events'],
      ['GET', 'rebuild'],
      ['POST', 'rebuild'],
    ] as const;
    it.each(routes)('%s %s: 401 without a token, 403 for users and moderators', async (method, path) => {
      expectEnvelope(await h.app.inject({ method, url: url(path) }), { status: 401, code: 'UNAUTHORIZED' });
      for (const role of ['user', 'moderator']) {
        const token = await h.env.token({ sub: randomUUID(), role });
        expectEnvelope(await h.app.inject({ method, url: url(path), headers: bearer(token) }), { status: 403, code: 'FORBIDDEN' });
      }
    });
  });
});
