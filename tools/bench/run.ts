// `npm run bench [-- <scenario> ...]`: runs the scenarios in turn, writes docs/benchmarks.json
// (every figure, with the machine and the conditions of each scenario's run) and regenerates
// the table in docs/benchmarks.md. Speed targets live here, never in timed tests.
//
//   BENCH_DURATION=10   seconds per measured load run      BENCH_ROUNDS=3   interleaved rounds
//   BENCH_SERVERS=dist  run the built bundles (default: source through tsx)
//   BENCH_NOTE="..."    how quiet the machine was, shown beside the figures
//   BENCH_RECORD=before also store this run as the "before" figures later runs are set against
//   --list / --render   name the scenarios / rewrite the docs from benchmarks.json only
//   BENCH_PROFILE=1     gateway and users under `node --cpu-prof` (or a list: gateway,users,bare,proxy);
//                       profiles go to tmp/bench/profiles/ and the docs are not rewritten
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { profileDir, profiled, root, serverEntry } from './lib/servers.js';
import { envNumber } from './lib/stats.js';
import type { BenchContext, BenchFigure, BenchScenario } from './types.js';
import { scenarios } from './scenarios.js';

interface ScenarioRun {
  /** When the scenario started. */
  measuredAt: string;
  durationSec: number;
  rounds: number;
  servers: string;
  note: string;
  /** 1-minute load average before and after the scenario. */
  loadAvg: [number, number];
}

interface Snapshot {
  measuredAt: string;
  note: string;
  figures: BenchFigure[];
  runs: Record<string, ScenarioRun>;
}

interface BenchFile {
  measuredAt: string;
  machine: { node: string; cpus: number; cpu: string; memoryGiB: number };
  figures: BenchFigure[];
  runs: Record<string, ScenarioRun>;
  /** The figures later work is compared with (recorded with BENCH_RECORD=before). */
  before?: Snapshot;
}

const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const s of scenarios) console.log(`${s.name.padEnd(18)} ${s.description ?? ''}`);
  process.exit(0);
}
// `--render` rewrites the docs from benchmarks.json without measuring anything.
const render = args.includes('--render');
const names = args.filter((a) => a !== '--render');
const selected: BenchScenario[] = render ? [] : names.length ? scenarios.filter((s) => names.includes(s.name)) : scenarios;
const unknown = names.filter((a) => !scenarios.some((s) => s.name === a));
if (unknown.length || (selected.length === 0 && !render)) {
  console.error(`no scenario named ${unknown.join(', ') || '(none)'}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  process.exit(1);
}

const durationSec = envNumber('BENCH_DURATION', 10);
const rounds = envNumber('BENCH_ROUNDS', 3);
const note = process.env.BENCH_NOTE ?? '';
const profiling = profiled().size > 0;
const sharedThings = new Map<string, Promise<{ stop(): Promise<void> }>>();
const ctx: BenchContext = {
  durationSec,
  rounds,
  log: (message) => console.log(`  ${message}`),
  shared<T extends { stop(): Promise<void> }>(key: string, start: () => Promise<T>): Promise<T> {
    if (!sharedThings.has(key)) sharedThings.set(key, start());
    return sharedThings.get(key) as Promise<T>;
  },
};

const figures: BenchFigure[] = [];
const runs: Record<string, ScenarioRun> = {};
try {
  for (const scenario of selected) {
    console.log(`\n▶ ${scenario.name}`);
    const load0 = loadavg()[0]!;
    const startedAt = new Date().toISOString();
    const results = await scenario.run(ctx);
    runs[scenario.name] = {
      measuredAt: startedAt,
      durationSec,
      rounds,
      servers: scenario.servers ?? serverEntry(),
      note,
      loadAvg: [Number(load0.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
    };
    for (const f of results) console.log(`  ${f.name}: ${f.value} ${f.metric}${f.ratio === undefined ? '' : ` (${f.ratio} × ${f.baseline})`}`);
    figures.push(...results);
  }
} finally {
  for (const thing of sharedThings.values()) await (await thing.catch(() => undefined))?.stop();
}

if (profiling) {
  console.log(`\nprofiling run: CPU profiles in ${profileDir}; docs/benchmarks.* left as they were`);
  process.exit(0);
}

const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) };
const measuredAt = new Date().toISOString();
const jsonFile = join(root, 'docs', 'benchmarks.json');
const previous: Partial<BenchFile> = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : {};
const known = new Set(scenarios.map((s) => s.name));
const ran = new Set(selected.map((s) => s.name));
/** Scenarios not run this time keep their last figures (of scenarios that still exist). */
const merge = (old: BenchFigure[] = [], oldRuns: Record<string, ScenarioRun> = {}) => ({
  figures: [...old.filter((f) => known.has(f.scenario) && !ran.has(f.scenario)), ...figures],
  runs: { ...Object.fromEntries(Object.entries(oldRuns).filter(([name]) => known.has(name) && !ran.has(name))), ...runs },
});
const current = merge(previous.figures, previous.runs);
const before: Snapshot | undefined =
  process.env.BENCH_RECORD === 'before' && !render
    ? { measuredAt, note, ...merge(previous.before?.figures, previous.before?.runs) }
    : previous.before;
const order = (list: BenchFigure[]) => [...list].sort((a, b) => scenarios.findIndex((s) => s.name === a.scenario) - scenarios.findIndex((s) => s.name === b.scenario));
const file: BenchFile = { measuredAt, machine, figures: order(current.figures), runs: current.runs, ...(before ? { before: { ...before, figures: order(before.figures) } } : {}) };
writeFileSync(jsonFile, `${JSON.stringify(file, null, 2)}\n`);

const fmt = (value: number) => value.toLocaleString('en-US');
const beforeOf = new Map((before?.figures ?? []).map((f) => [`${f.scenario}\u0000${f.name}`, f]));
const rows = file.figures.map((f) => {
  const detail = Object.entries(f.detail ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
  const vs = f.ratio === undefined ? '' : `${f.ratio} × ${f.baseline}`;
  const old = beforeOf.get(`${f.scenario}\u0000${f.name}`);
  const was = old ? `${fmt(old.value)} ${old.metric}${old.ratio === undefined ? '' : ` (${old.ratio} ×)`}` : '';
  return `| ${f.scenario} | ${f.name} | ${fmt(f.value)} ${f.metric} | ${vs} | ${was} | ${detail} |`;
});
const table = ['| scenario | what | result | vs baseline (same run) | before | detail |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
const runRows = Object.entries(file.runs)
  .sort(([a], [b]) => scenarios.findIndex((s) => s.name === a) - scenarios.findIndex((s) => s.name === b))
  .map(([name, r]) => `| ${name} | ${r.measuredAt.slice(0, 16).replace('T', ' ')} UTC | ${r.servers} | ${r.rounds} × ${r.durationSec} s | ${r.loadAvg[0]} → ${r.loadAvg[1]} | ${r.note} |`);
const runsTable = ['| scenario | measured | servers | rounds × run | load avg | conditions |', '| --- | --- | --- | --- | --- | --- |', ...runRows].join('\n');
const beforeLine = before ? `The **before** column is the run recorded on ${before.measuredAt.slice(0, 10)}${before.note ? ` (${before.note})` : ''}.` : 'No "before" figures recorded yet (`BENCH_RECORD=before`).';
// Only the generated part between the markers is replaced: the reading notes around it are prose
// written by people and survive every run.
const generated = `<!-- bench:start -->
Last written ${measuredAt} on ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node},
everything on loopback (the load generator shares the machine). ${beforeLine}

${table}

${runsTable}
<!-- bench:end -->`;
const mdFile = join(root, 'docs', 'benchmarks.md');
const existing = existsSync(mdFile) ? readFileSync(mdFile, 'utf8') : '';
const markers = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/;
writeFileSync(
  mdFile,
  markers.test(existing)
    ? existing.replace(markers, () => generated)
    : `# Benchmarks\n\nWritten by \`npm run bench\` (\`tools/bench/\`); the raw figures are in [benchmarks.json](benchmarks.json).\n\n${generated}\n`,
);
console.log(`\nwrote docs/benchmarks.json and docs/benchmarks.md (${file.figures.length} figures)`);
