import { describe, expect, it } from 'vitest';
import { bucketCount, bucketStarts, ceilTo, checkRange, defaultSeriesRange, floorTo, splitRange } from './time-range.js';

const d = (s: string) => new Date(s);

describe('time ranges', () => {
  it('floors and ceils to UTC hours and days', () => {
    expect(floorTo(d('2025-03-01T10:59:59.999Z'), 'hour')).toEqual(d('2025-03-01T10:00:00Z'));
    expect(floorTo(d('2025-03-01T23:59:59Z'), 'day')).toEqual(d('2025-03-01T00:00:00Z'));
    expect(ceilTo(d('2025-03-01T10:00:00Z'), 'hour')).toEqual(d('2025-03-01T10:00:00Z'));
    expect(ceilTo(d('2025-03-01T10:00:00.001Z'), 'hour')).toEqual(d('2025-03-01T11:00:00Z'));
  });

  it('counts the buckets a half-open range touches', () => {
    expect(bucketCount(d('2025-03-01T00:00:00Z'), d('2025-03-02T00:00:00Z'), 'day')).toBe(1);
    expect(bucketCount(d('2025-03-01T00:00:00Z'), d('2025-03-02T00:00:00.001Z'), 'day')).toBe(2);
    expect(bucketCount(d('2025-03-01T23:30:00Z'), d('2025-03-02T00:30:00Z'), 'hour')).toBe(2);
    expect(bucketStarts(d('2025-03-01T23:30:00Z'), d('2025-03-02T00:30:00Z'), 'hour')).toEqual([d('2025-03-01T23:00:00Z'), d('2025-03-02T00:00:00Z')]);
  });

  it('refuses from >= to and more than 10,000 buckets', () => {
    expect(checkRange(d('2025-03-02'), d('2025-03-01'))).toMatchObject({ path: 'from' });
    expect(checkRange(d('2025-03-01'), d('2025-03-01'))).toMatchObject({ path: 'from' });
    expect(checkRange(null, d('2025-03-01'))).toBeNull();
    const from = d('2025-01-01T00:00:00Z');
    expect(checkRange(from, new Date(from.getTime() + 10_000 * 3_600_000), 'hour')).toBeNull();
    expect(checkRange(from, new Date(from.getTime() + 10_000 * 3_600_000 + 1), 'hour')?.message).toMatch(/10000/);
  });

  it('splits a range into whole hours and non-overlapping partial edges', () => {
    expect(splitRange(d('2025-03-01T10:20:00Z'), d('2025-03-01T13:10:00Z'))).toEqual({
      hours: { from: d('2025-03-01T11:00:00Z'), to: d('2025-03-01T13:00:00Z') },
      edges: [
        { from: d('2025-03-01T10:20:00Z'), to: d('2025-03-01T11:00:00Z') },
        { from: d('2025-03-01T13:00:00Z'), to: d('2025-03-01T13:10:00Z') },
      ],
    });
    expect(splitRange(d('2025-03-01T10:00:00Z'), d('2025-03-01T12:00:00Z'))).toEqual({
      hours: { from: d('2025-03-01T10:00:00Z'), to: d('2025-03-01T12:00:00Z') },
      edges: [],
    });
    // Inside one hour: only the deltas, once.
    expect(splitRange(d('2025-03-01T10:20:00Z'), d('2025-03-01T10:40:00Z'))).toEqual({
      hours: null,
      edges: [{ from: d('2025-03-01T10:20:00Z'), to: d('2025-03-01T10:40:00Z') }],
    });
    expect(splitRange(null, null)).toEqual({ hours: { from: null, to: null }, edges: [] });
    expect(splitRange(null, d('2025-03-01T10:40:00Z'))).toEqual({
      hours: { from: null, to: d('2025-03-01T10:00:00Z') },
      edges: [{ from: d('2025-03-01T10:00:00Z'), to: d('2025-03-01T10:40:00Z') }],
    });
  });

  it('defaults a series to the last 30 days or 48 hours', () => {
    const now = d('2025-03-31T12:00:00Z');
    expect(defaultSeriesRange('day', now)).toEqual({ from: d('2025-03-01T12:00:00Z'), to: now });
    expect(defaultSeriesRange('hour', now)).toEqual({ from: d('2025-03-29T12:00:00Z'), to: now });
    expect(defaultSeriesRange('hour', now, d('2025-03-31T00:00:00Z'))).toEqual({ from: d('2025-03-31T00:00:00Z'), to: now });
  });
});
