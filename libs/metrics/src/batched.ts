import { Counter, Histogram, type CounterConfiguration, type HistogramConfiguration, type LabelValues } from 'prom-client';

/**
 * Counters and histograms whose children (`metric.labels(...)`) add to a plain cell instead of
 * prom-client's series: prom-client's own child validates the labels, hashes them into a string
 * key and looks the series up on every `inc` / `observe` (three per request at the gateway, ~6 µs
 * under the profiler, docs/benchmarks.md). The cells are folded into prom-client's series in the
 * metric's `collect()`, which prom-client runs before every read (`/metrics`, `get()`), so what
 * a scrape shows — names, labels, buckets, HELP and TYPE — is prom-client's own exposition of
 * the same counts. Calls on the metric itself (`inc(labels, n)`, `observe(labels, v)`) are left
 * to prom-client as they are: both add to the same series.
 */

type Args = unknown[];

/** The children's cells by their label values (`undefined` kept apart from `''`, as prom-client's key does). */
function cellKey(labelNames: readonly string[], args: Args): string {
  const values = typeof args[0] === 'object' && args[0] !== null ? labelNames.map((name) => (args[0] as Record<string, unknown>)[name]) : args;
  return values.map((value) => (value === undefined ? '\u0000' : String(value))).join('\u0001');
}

const namesOf = (metric: object): readonly string[] => (metric as { labelNames: readonly string[] }).labelNames;

function labelObject(labelNames: readonly string[], args: Args): Record<string, string | number> {
  if (typeof args[0] === 'object' && args[0] !== null) return args[0] as Record<string, string | number>;
  return Object.fromEntries(labelNames.map((name, i) => [name, args[i] as string]));
}

/** prom-client's checks on an increment, kept so a bad value still throws at the call. */
function checkedIncrement(value: number | undefined): number {
  if (value === undefined || value === null) return 1;
  if (value && !Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${String(value)}`);
  if (value < 0) throw new Error('It is not possible to decrease a counter');
  return value;
}

interface CounterCell {
  labels: Record<string, string | number>;
  pending: number;
  child: Counter.Internal;
}

export class BatchedCounter<T extends string = string> extends Counter<T> {
  private cells = new Map<string, CounterCell>();

  constructor(configuration: CounterConfiguration<T>) {
    const own = configuration.collect;
    super({
      ...configuration,
      collect(this: Counter<T>) {
        (this as BatchedCounter<T>).fold();
        return own?.call(this);
      },
    });
  }

  override labels(...args: Args): Counter.Internal {
    const key = cellKey(namesOf(this), args);
    let cell = this.cells.get(key);
    if (!cell) {
      // prom-client's child first: it refuses a wrong number of values here, as before; an unknown
      // label, which prom-client refuses at the first `inc`, is refused here (never at a scrape).
      const child = super.labels(...(args as [LabelValues<T>]));
      if (typeof args[0] === 'object' && args[0] !== null) {
        const unknown = Object.keys(args[0]).find((name) => !namesOf(this).includes(name));
        if (unknown !== undefined) throw new Error(`Added label "${unknown}" is not included in initial labelset: ${namesOf(this).join(', ')}`);
      }
      cell = { labels: labelObject(namesOf(this), args), pending: 0, child };
      this.cells.set(key, cell);
    }
    const found = cell;
    return {
      inc(value?: number) {
        const by = checkedIncrement(value);
        // `inc(0)` makes the series exist (zeros from the start): prom-client does it at once.
        if (by === 0) found.child.inc(0);
        else found.pending += by;
      },
    };
  }

  override reset(): void {
    super.reset();
    // Called by prom-client's constructor too, before this class's fields exist.
    for (const cell of this.cells?.values() ?? []) cell.pending = 0;
  }

  override remove(...args: Args): void {
    const cell = this.cells.get(cellKey(namesOf(this), args));
    if (cell) cell.pending = 0;
    super.remove(...(args as [LabelValues<T>]));
  }

  private fold(): void {
    for (const cell of this.cells.values()) {
      if (cell.pending === 0) continue;
      this.inc(cell.labels as LabelValues<T>, cell.pending);
      cell.pending = 0;
    }
  }
}

/** One series of prom-client's histogram, as its `zero()` / `observe()` create it (prom-client 15). */
interface HistogramSeries {
  labels: Record<string, unknown>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

interface HistogramCell {
  labels: Record<string, string | number>;
  /** Observations per bucket (not cumulative), above the last bound only in `count`. */
  counts: number[];
  sum: number;
  count: number;
  /** Where the cell's series was last found in prom-client's map (reset() replaces the map). */
  map?: Record<string, HistogramSeries>;
  key?: string;
}

const sameLabels = (names: readonly string[], a: Record<string, unknown>, b: Record<string, unknown>) =>
  names.every((name) => (a[name] === undefined ? b[name] === undefined : b[name] !== undefined && String(a[name]) === String(b[name])));

export class BatchedHistogram<T extends string = string> extends Histogram<T> {
  private cells = new Map<string, HistogramCell>();

  constructor(configuration: HistogramConfiguration<T>) {
    const own = configuration.collect;
    super({
      ...configuration,
      collect(this: Histogram<T>) {
        (this as BatchedHistogram<T>).fold();
        return own?.call(this);
      },
    });
  }

  override labels(...args: Args): Histogram.Internal<T> {
    const key = cellKey(namesOf(this), args);
    let cell = this.cells.get(key);
    if (!cell) {
      // prom-client's child first: it refuses wrong or unknown labels here, as before.
      super.labels(...(args as [LabelValues<T>]));
      cell = { labels: labelObject(namesOf(this), args), counts: this.bounds().map(() => 0), sum: 0, count: 0 };
      this.cells.set(key, cell);
    }
    const found = cell;
    const bounds = this.bounds();
    const observe = (value: number) => {
      if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${String(value)}`);
      for (let i = 0; i < bounds.length; i++) {
        if (value <= (bounds[i] as number)) {
          (found.counts[i] as number)++;
          break;
        }
      }
      found.sum += value;
      found.count += 1;
    };
    return {
      observe,
      startTimer: () => {
        const start = process.hrtime.bigint();
        return (endLabels?: LabelValues<T>) => {
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          if (endLabels && Object.keys(endLabels).length > 0) this.observe({ ...found.labels, ...endLabels } as LabelValues<T>, seconds);
          else observe(seconds);
          return seconds;
        };
      },
    };
  }

  override reset(): void {
    super.reset();
    // Called by prom-client's constructor too, before this class's fields exist.
    for (const cell of this.cells?.values() ?? []) clear(cell);
  }

  override remove(...args: Args): void {
    const cell = this.cells.get(cellKey(namesOf(this), args));
    if (cell) clear(cell);
    super.remove(...(args as [LabelValues<T>]));
  }

  private bounds(): readonly number[] {
    return (this as unknown as { upperBounds: readonly number[] }).upperBounds;
  }

  private seriesOf(cell: HistogramCell): HistogramSeries {
    const map = (this as unknown as { hashMap: Record<string, HistogramSeries> }).hashMap;
    if (cell.map === map && cell.key !== undefined && map[cell.key]) return map[cell.key] as HistogramSeries;
    const names = namesOf(this);
    const find = () => Object.keys(map).find((key) => sameLabels(names, (map[key] as HistogramSeries).labels, cell.labels));
    let key = find();
    if (key === undefined) {
      this.zero(cell.labels as LabelValues<T>);
      key = find();
    }
    if (key === undefined) throw new Error(`${(this as unknown as { name: string }).name}: prom-client did not create the series`);
    cell.map = map;
    cell.key = key;
    return map[key] as HistogramSeries;
  }

  private fold(): void {
    const bounds = this.bounds();
    for (const cell of this.cells.values()) {
      if (cell.count === 0) continue;
      const series = this.seriesOf(cell);
      series.sum += cell.sum;
      series.count += cell.count;
      for (let i = 0; i < bounds.length; i++) {
        if (cell.counts[i]) series.bucketValues[bounds[i] as number] = (series.bucketValues[bounds[i] as number] ?? 0) + (cell.counts[i] as number);
      }
      clear(cell);
    }
  }
}

function clear(cell: HistogramCell): void {
  cell.counts.fill(0);
  cell.sum = 0;
  cell.count = 0;
}
