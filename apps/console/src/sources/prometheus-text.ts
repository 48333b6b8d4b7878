/**
 * The samples of a Prometheus text exposition (version 0.0.4): `name{label="v",...} value`.
 * Why not a package: the one parser on npm for this format (parse-prometheus-text-format 1.1.1)
 * drops a histogram's labels and its `_sum` / `_count` lines, which are what latency needs. The
 * format's sample line is small and fixed (comments and metadata are skipped, timestamps ignored).
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;
const unescape = (value: string) => value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = sampleLine.exec(line);
    if (!match) continue;
    const [, name = '', labelText = '', value = ''] = match;
    const labels: Record<string, string> = {};
    labelPair.lastIndex = 0;
    for (let pair = labelPair.exec(labelText); pair; pair = labelPair.exec(labelText)) labels[pair[1] ?? ''] = unescape(pair[2] ?? '');
    const parsed = parseValue(value);
    if (!Number.isNaN(parsed)) samples.push({ name, labels, value: parsed });
  }
  return samples;
}

/** Sum of every sample of `name` whose labels include `match`. */
export function total(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** A histogram's buckets summed over every other label: `le` → cumulative count. */
export function buckets(samples: Sample[], name: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || s.labels.le === undefined) continue;
    const le = parseValue(s.labels.le);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}
