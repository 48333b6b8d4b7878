import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BatchedCounter, BatchedHistogram } from './batched.js';
import { LATENCY_BUCKETS } from './registry.js';
import { parseExposition, promtoolCheck } from './testing/index.js';

/** The same metrics twice, prom-client's own and the batched ones, each in its own registry. */
function pair() {
  const plain = new Registry();
  const batched = new Registry();
  const config = (registry: Registry) => ({ registers: [registry], labelNames: ['route', 'method', 'status_class'] as const });
  const hist = (registry: Registry) => ({ name: 'd_seconds', help: 'D.', registers: [registry], labelNames: ['route', 'method'] as const, buckets: LATENCY_BUCKETS });
  return {
    plain: { registry: plain, counter: new Counter({ name: 'r_total', help: 'R.', ...config(plain) }), histogram: new Histogram(hist(plain)) },
    batched: { registry: batched, counter: new BatchedCounter({ name: 'r_total', help: 'R.', ...config(batched) }), histogram: new BatchedHistogram(hist(batched)) },
  };
}

type Side = ReturnType<typeof pair>['plain'];

/**
 * Both expositions, sample by sample in a stable order: equal, except that a histogram's `_sum`
 * may differ in its last digits (a scrape's observations are summed first, then added).
 */
function expectSameExposition(actual: string, expected: string): void {
  const sorted = (text: string) => parseExposition(text).sort((a, b) => JSON.stringify([a.name, a.labels]).localeCompare(JSON.stringify([b.name, b.labels])));
  const got = sorted(actual);
  const want = sorted(expected);
  expect(got.map(({ name, labels }) => [name, labels])).toEqual(want.map(({ name, labels }) => [name, labels]));
  got.forEach((sample, i) => {
    const value = (want[i] as { value: number }).value;
    if (sample.name.endsWith('_sum')) expect(sample.value).toBeCloseTo(value, 9);
    else expect(sample.value).toBe(value);
  });
  // Same HELP and TYPE lines.
  const comments = (text: string) => text.split('\n').filter((line) => line.startsWith('#')).sort();
  expect(comments(actual)).toEqual(comments(expected));
}

/** A deterministic mix of routes, statuses and durations, including values above the last bucket. */
function load(side: Side, requests: number, seed: number): void {
  let x = seed;
  const next = () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const routes = ['/health', '/api/v1/users/me', 'unmatched'];
  for (let i = 0; i < requests; i++) {
    const route = routes[Math.floor(next() * routes.length)] as string;
    const method = next() < 0.8 ? 'GET' : 'POST';
    const status = next() < 0.9 ? '2xx' : '4xx';
    side.counter.labels(route, method, status).inc();
    side.histogram.labels(route, method).observe(next() < 0.01 ? 12 + next() : next() * 0.3);
  }
}

describe('batched counters and histograms', () => {
  it('expose exactly what prom-client exposes for the same requests, scrape after scrape', async () => {
    const { plain, batched } = pair();
    for (const side of [plain, batched]) {
      side.counter.labels('/health', 'GET', '5xx').inc(0);
      side.counter.inc({ route: 'unmatched', method: 'GET', status_class: '4xx' }, 2);
    }
    for (const [requests, seed] of [[5_000, 1], [1, 2], [0, 3], [2_500, 4]] as const) {
      load(plain, requests, seed);
      load(batched, requests, seed);
      const [expected, actual] = await Promise.all([plain.registry.metrics(), batched.registry.metrics()]);
      // Series may appear in another order (a batched child's series is created at the scrape).
      expectSameExposition(actual, expected);
      expect(actual).toMatch(/r_total\{route="\/health",method="GET",status_class="5xx"\} 0/);
    }
    expect(promtoolCheck(await batched.registry.metrics())).toBe('');
  });

  it('keep reset(), remove(), direct calls and timers consistent with prom-client', async () => {
    const { plain, batched } = pair();
    for (const side of [plain, batched]) {
      side.counter.labels('/a', 'GET', '2xx').inc(3);
      side.histogram.labels('/a', 'GET').observe(0.2);
      side.counter.reset();
      side.histogram.reset();
      side.counter.labels('/a', 'GET', '2xx').inc();
      side.histogram.labels({ route: '/a', method: 'GET' }).observe(0.004);
      side.histogram.observe({ route: '/a', method: 'GET' }, 0.5);
      side.histogram.labels('/b', 'GET').observe(1);
      side.histogram.remove('/b', 'GET');
      side.counter.labels('/b', 'POST', '4xx').inc(2);
      side.counter.remove('/b', 'POST', '4xx');
    }
    const [expected, actual] = await Promise.all([plain.registry.metrics(), batched.registry.metrics()]);
    expectSameExposition(actual, expected);
    expect((await batched.histogram.get()).values.find((v) => v.metricName === 'd_seconds_count')?.value).toBe(2);

    const end = batched.histogram.labels('/t', 'GET').startTimer();
    const seconds = end() as unknown as number;
    const count = (await batched.histogram.get()).values.find((v) => v.metricName === 'd_seconds_count' && v.labels.route === '/t');
    expect(count?.value).toBe(1);
    expect(seconds).toBeGreaterThanOrEqual(0);
  });

  it('still refuse what prom-client refuses, at the call', () => {
    const { batched } = pair();
    expect(() => batched.counter.labels('/a', 'GET')).toThrow(/Invalid number of arguments/);
    expect(() => batched.histogram.labels({ route: '/a', nope: 'x' } as never)).toThrow(/not included/);
    expect(() => batched.counter.labels({ route: '/a', nope: 'x' } as never)).toThrow(/not included/);
    expect(() => batched.counter.labels('/a', 'GET', '2xx').inc(-1)).toThrow(/decrease/);
    expect(() => batched.histogram.labels('/a', 'GET').observe(Number.NaN)).toThrow(/not a valid number/);
  });
});
