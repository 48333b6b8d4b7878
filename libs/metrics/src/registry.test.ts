import { deferred, waitFor } from '@platform/resilience/testing';
import { describe, expect, it } from 'vitest';
import { childCache, createMetrics } from './index.js';
import { declaredSeries, promtoolCheck, sampleValue, samplesOf } from './testing/index.js';

describe('createMetrics', () => {
  it('keeps each app to its own registry, every series labelled with its service', async () => {
    const a = createMetrics({ service: 'users' });
    const b = createMetrics({ service: 'billing', defaultMetrics: false });
    a.counter({ name: 'things_total', help: 'Things.' }).inc();
    const textA = await a.render();
    const textB = await b.render();
    expect(sampleValue(textA, 'things_total', { service: 'users' })).toBe(1);
    expect(declaredSeries(textB).has('things_total')).toBe(false);
    expect(declaredSeries(textA).has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(declaredSeries(textA).has('nodejs_heap_size_used_bytes')).toBe(true);
    expect(promtoolCheck(textA)).toBe('');
  });

  it('gives back the metric already registered under a name', () => {
    const metrics = createMetrics({ service: 'users', defaultMetrics: false });
    const first = metrics.counter({ name: 'x_total', help: 'X.', labelNames: ['a'] });
    expect(metrics.counter({ name: 'x_total', help: 'X.', labelNames: ['a'] })).toBe(first);
  });

  it('caches children by label values', async () => {
    const metrics = createMetrics({ service: 'users', defaultMetrics: false });
    const counter = metrics.counter({ name: 'y_total', help: 'Y.', labelNames: ['a', 'b'] });
    const child = childCache((a, b) => counter.labels(a, b));
    expect(child('1', '2')).toBe(child('1', '2'));
    child('1', '2').inc();
    child('1', '3').inc(2);
    const text = await metrics.render();
    expect(sampleValue(text, 'y_total', { a: '1', b: '3' })).toBe(2);
  });
});

describe('polledGauge', () => {
  it('serves a cached reading, bounded in series, and the previous one when a read is slow or fails', async () => {
    const metrics = createMetrics({ service: 'users', defaultMetrics: false });
    let reads = 0;
    let mode: 'ok' | 'slow' | 'fail' = 'ok';
    metrics.polledGauge({
      name: 'backlog',
      help: 'Backlog.',
      labelNames: ['k'],
      maxAgeMs: 0,
      timeoutMs: 50,
      maxSeries: 3,
      read: async () => {
        reads += 1;
        if (mode === 'fail') throw new Error('database down');
        if (mode === 'slow') await new Promise(() => undefined); // never answers
        return Array.from({ length: 10 }, (_, i) => ({ labels: { k: String(i) }, value: reads }));
      },
    });
    const first = await metrics.render();
    expect(samplesOf(first, 'backlog')).toHaveLength(3);
    expect(sampleValue(first, 'backlog', { k: '0' })).toBe(1);

    mode = 'fail';
    expect(sampleValue(await metrics.render(), 'backlog', { k: '0' })).toBe(1);
    mode = 'slow';
    const started = Date.now();
    expect(sampleValue(await metrics.render(), 'backlog', { k: '0' })).toBe(1);
    // The stalled read is still in flight: the next scrape does not start another one.
    const readsBefore = reads;
    await metrics.render();
    expect(reads).toBe(readsBefore);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('takes a read that throws at once for a failed reading: the scrape still answers, with the previous one', async () => {
    const metrics = createMetrics({ service: 'users', defaultMetrics: false });
    let fail = false;
    metrics.polledGauge({
      name: 'lag',
      help: 'Lag.',
      maxAgeMs: 0,
      read: () => {
        if (fail) throw new Error('pool already closed'); // not a rejected promise: thrown before one exists
        return Promise.resolve(7);
      },
    });
    expect(sampleValue(await metrics.render(), 'lag')).toBe(7);
    fail = true;
    expect(sampleValue(await metrics.render(), 'lag')).toBe(7);
  });

  it('gives up a read that never answers, reads again, and drops the late answer of the one given up', async () => {
    const metrics = createMetrics({ service: 'users', defaultMetrics: false });
    const stalled = deferred<number>();
    let reads = 0;
    metrics.polledGauge({
      name: 'queue',
      help: 'Queue.',
      maxAgeMs: 60_000,
      timeoutMs: 20,
      readTimeoutMs: 100,
      read: () => (++reads === 1 ? stalled.promise : Promise.resolve(reads)),
    });
    expect(sampleValue(await metrics.render(), 'queue')).toBe(0); // no reading yet
    // Once the first read is given up, a scrape starts the second: the gauge is not frozen.
    await waitFor(async () => sampleValue(await metrics.render(), 'queue') === 2, { timeoutMs: 5_000 });
    stalled.resolve(1);
    await stalled.promise;
    await new Promise((turn) => setImmediate(turn));
    // Cached (maxAge), and still the newer reading: the stalled one's answer came too late.
    expect(sampleValue(await metrics.render(), 'queue')).toBe(2);
    expect(reads).toBe(2);
  });

  it('reads once per maxAge', async () => {
    const metrics = createMetrics({ service: 'users', defaultMetrics: false });
    let reads = 0;
    metrics.polledGauge({ name: 'depth', help: 'Depth.', maxAgeMs: 60_000, read: async () => ++reads });
    await metrics.render();
    const text = await metrics.render();
    expect(reads).toBe(1);
    expect(sampleValue(text, 'depth')).toBe(1);
  });
});
