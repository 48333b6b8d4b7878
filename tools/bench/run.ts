// `npm run bench`: runs every scenario in turn on a quiet machine, writes docs/benchmarks.json
// (every figure, with the machine) and regenerates the table in docs/benchmarks.md.
// Speed targets live here, never in timed tests.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure, BenchScenario } from './types.js';
import { scenarios } from './scenarios.js';

const root = join(import.meta.dirname, '..', '..');
const only = process.argv.slice(2);
const durationSec = Number(process.env.BENCH_DURATION ?? 10);
const selected: BenchScenario[] = only.length ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
if (selected.length === 0) {
  console.error(`no scenario named ${only.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  process.exit(1);
}

const figures: BenchFigure[] = [];
for (const scenario of selected) {
  console.log(`\n▶ ${scenario.name}`);
  const results = await scenario.run({ durationSec, log: (message) => console.log(`  ${message}`) });
  for (const figure of results) console.log(`  ${figure.name}: ${figure.value} ${figure.metric}`);
  figures.push(...results);
}

const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) };
const measuredAt = new Date().toISOString();
// Running some scenarios keeps the other scenarios' last figures, so the file always has them all.
const jsonFile = join(root, 'docs', 'benchmarks.json');
const previous: BenchFigure[] = existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, 'utf8')).figures ?? []) : [];
const ran = new Set(selected.map((s) => s.name));
const kept = previous.filter((f) => !ran.has(f.scenario));
figures.unshift(...kept);
writeFileSync(jsonFile, `${JSON.stringify({ measuredAt, machine, durationSec, figures }, null, 2)}\n`);

const rows = figures.map((f) => {
  const detail = Object.entries(f.detail ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
  return `| ${f.scenario} | ${f.name} | ${f.value.toLocaleString('en-US')} ${f.metric} | ${detail} |`;
});
const table = ['| scenario | what | result | detail |', '| --- | --- | --- | --- |', ...rows].join('\n');
// Only the generated part between the markers is replaced: the reading notes around it are prose
// written by people and survive every run.
const generated = `<!-- bench:start -->
Measured ${measuredAt} on ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node},
everything on loopback (the load generator shares the machine), ${durationSec} s per load run.

${table}
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
console.log(`\nwrote docs/benchmarks.json and docs/benchmarks.md (${figures.length} figures)`);
