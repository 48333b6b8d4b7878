import { withDeadline } from '@platform/resilience';
import { Gauge, type LabelValues, type Registry } from 'prom-client';

export interface Sample<L extends string> {
  labels?: LabelValues<L>;
  value: number;
}

export interface PolledGaugeOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /** Reads the current value(s), e.g. one SQL query or one JetStream info call. */
  read(): Promise<number | Sample<L>[]>;
  /** A reading this fresh is served from cache: scrapes from several Prometheus replicas cost one read (default 5 s). */
  maxAgeMs?: number;
  /** A scrape waits at most this long for a reading, then serves the last one (default 1 s). */
  timeoutMs?: number;
  /**
   * A read still unanswered after this long is given up, its late answer dropped, so the next
   * scrape starts another: one that hangs (a connection gone silent) must not freeze the gauge
   * at its last value for good (default 30 s).
   */
  readTimeoutMs?: number;
  /** Series kept from one reading; the rest are dropped, so a bug cannot explode the label set (default 200). */
  maxSeries?: number;
}

/**
 * A gauge read at scrape time from something slow (a database, the broker). Readings are cached
 * for `maxAgeMs`; at most one is in flight; a scrape waits `timeoutMs` at most and otherwise shows
 * the previous reading (none at first), so a slow or unreachable database never stalls `/metrics`.
 * A failed reading keeps the previous one too: a gauge that vanishes during an outage would hide it.
 */
export function polledGauge<L extends string>(registry: Registry, options: PolledGaugeOptions<L>): Gauge<L> {
  const maxAgeMs = options.maxAgeMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const readTimeoutMs = options.readTimeoutMs ?? 30_000;
  const maxSeries = options.maxSeries ?? 200;
  let last: Sample<L>[] = [];
  let readAt = 0;
  let inFlight: Promise<void> | undefined;

  function refresh(): Promise<void> {
    // A read that throws at once is a failed reading like any other, not a failed scrape.
    const reading = Promise.resolve().then(() => options.read());
    return withDeadline(reading, readTimeoutMs, () => undefined)
      .then((value) => {
        if (value === undefined) return; // given up: whatever it answers later is not kept
        last = (typeof value === 'number' ? [{ value }] : value).slice(0, maxSeries);
        readAt = Date.now();
      })
      .catch(() => undefined)
      .finally(() => {
        inFlight = undefined;
      });
  }

  return new Gauge<L>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames ?? [],
    registers: [registry],
    async collect() {
      if (Date.now() - readAt >= maxAgeMs) await withDeadline((inFlight ??= refresh()), timeoutMs, () => undefined);
      this.reset();
      for (const sample of last) {
        if (sample.labels) this.set(sample.labels, sample.value);
        else this.set(sample.value);
      }
    },
  });
}
