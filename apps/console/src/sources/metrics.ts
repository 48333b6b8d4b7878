import type { WatchedApp } from '../config.js';
import { buckets, parsePrometheusText, total, type Sample } from './prometheus-text.js';

/** One app's figures between two scrapes (rates need two), plus its gauges at the later one. */
export interface AppFigures {
  app: WatchedApp;
  /** Requests per second; null until two scrapes exist. */
  requestRate: number | null;
  /** Share of requests answered 5xx (0..1); null with no request in the interval. */
  errorRate: number | null;
  /** 95th percentile latency in ms (histogram upper bound); null with no request. */
  p95Ms: number | null;
  meanMs: number | null;
  outboxBacklog: number | null;
  outboxOldestAgeSeconds: number | null;
  deadLetters: number | null;
  /** Replicas per upstream the gateway can reach (gateway only). */
  replicas: Record<string, number>;
}

export interface Scrape {
  at: number;
  /** null: /metrics did not answer (or is not there); `error` says why. */
  samples: Sample[] | null;
  error?: string;
}

const gauge = (samples: Sample[], name: string) => (samples.some((s) => s.name === name) ? total(samples, name) : null);

/** Upper bound of the bucket holding the q-th quantile of the requests between two scrapes. */
function quantileMs(before: Sample[], after: Sample[], q: number): number | null {
  const b0 = buckets(before, 'http_request_duration_seconds');
  const b1 = [...buckets(after, 'http_request_duration_seconds')].sort(([a], [b]) => a - b);
  const deltas = b1.map(([le, count]) => [le, count - (b0.get(le) ?? 0)] as const);
  const all = deltas.at(-1)?.[1] ?? 0;
  if (all <= 0) return null;
  const hit = deltas.find(([, count]) => count >= q * all);
  if (!hit || !Number.isFinite(hit[0])) return (deltas.at(-2)?.[0] ?? 0) * 1000;
  return hit[0] * 1000;
}

export function figures(app: WatchedApp, before: Scrape | undefined, after: Scrape): AppFigures {
  const now = after.samples ?? [];
  const replicas = Object.fromEntries(
    now.filter((s) => s.name === 'gateway_upstream_replicas_available').map((s) => [s.labels.upstream ?? '?', s.value]),
  );
  const base: AppFigures = {
    app,
    requestRate: null,
    errorRate: null,
    p95Ms: null,
    meanMs: null,
    outboxBacklog: gauge(now, 'outbox_backlog'),
    outboxOldestAgeSeconds: gauge(now, 'outbox_oldest_age_seconds'),
    deadLetters: gauge(now, 'dead_letter_messages'),
    replicas,
  };
  const then = before?.samples;
  if (!then || !after.samples || after.at <= (before?.at ?? 0)) return base;
  const seconds = (after.at - (before?.at ?? 0)) / 1000;
  const requests = total(now, 'http_requests_total') - total(then, 'http_requests_total');
  const errors = total(now, 'http_requests_total', { status_class: '5xx' }) - total(then, 'http_requests_total', { status_class: '5xx' });
  const count = total(now, 'http_request_duration_seconds_count') - total(then, 'http_request_duration_seconds_count');
  const sum = total(now, 'http_request_duration_seconds_sum') - total(then, 'http_request_duration_seconds_sum');
  return {
    ...base,
    requestRate: Math.max(0, requests) / seconds,
    errorRate: requests > 0 ? Math.max(0, errors) / requests : null,
    meanMs: count > 0 ? (sum / count) * 1000 : null,
    p95Ms: quantileMs(then, now, 0.95),
  };
}

export interface MetricsSamplerOptions {
  apps: Record<WatchedApp, string>;
  token?: string;
  timeoutMs: number;
  /** Scrapes closer together than this reuse the last one (many browsers, one scrape). */
  minIntervalMs?: number;
  /** Scrapes kept per app: the charts' window. */
  keep?: number;
}

/**
 * Scrapes every app's `/metrics` when asked (never in the background: an idle console costs the
 * platform nothing) and keeps the last few scrapes, so rates are computed between consecutive
 * ones and the charts have a short history.
 */
export function metricsSampler(options: MetricsSamplerOptions) {
  const keep = options.keep ?? 60;
  const minIntervalMs = options.minIntervalMs ?? 2_000;
  const history = new Map<WatchedApp, Scrape[]>();
  let inFlight: Promise<void> | undefined;
  let lastAt = 0;

  /** `at` is the round's, shared by every app, so the charts line the apps' points up. */
  async function scrape(url: string, at: number): Promise<Scrape> {
    try {
      const response = await fetch(new URL('/metrics', url), {
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const body = await response.text();
      if (!response.ok) return { at, samples: null, error: `/metrics answered ${response.status}` };
      return { at, samples: parsePrometheusText(body) };
    } catch (error) {
      return { at, samples: null, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async function refresh(): Promise<void> {
    if (Date.now() - lastAt < minIntervalMs) return;
    inFlight ??= (async () => {
      const entries = Object.entries(options.apps) as [WatchedApp, string][];
      const at = Date.now();
      const results = await Promise.all(entries.map(async ([app, url]) => [app, await scrape(url, at)] as const));
      for (const [app, result] of results) history.set(app, [...(history.get(app) ?? []), result].slice(-keep));
      lastAt = Date.now();
    })().finally(() => {
      inFlight = undefined;
    });
    await inFlight;
  }

  /** Each app's figures now, and the series of figures over the kept scrapes. */
  async function read() {
    await refresh();
    return (Object.keys(options.apps) as WatchedApp[]).map((app) => {
      const scrapes = history.get(app) ?? [];
      const latest = scrapes.at(-1);
      const series = scrapes.slice(1).map((s, i) => ({ at: new Date(s.at).toISOString(), ...figures(app, scrapes[i], s) }));
      return {
        app,
        available: latest?.samples !== null && latest !== undefined,
        error: latest?.error ?? null,
        now: latest ? figures(app, scrapes.at(-2), latest) : figures(app, undefined, { at: Date.now(), samples: null }),
        series: series.map(({ at, requestRate, errorRate, p95Ms }) => ({ at, requestRate, errorRate, p95Ms })),
      };
    });
  }

  return { read, refresh };
}

export type MetricsSampler = ReturnType<typeof metricsSampler>;
